using Quarry.Parsing;

namespace Quarry.Core.Tests.Parsing;

public sealed class LanguageDetectorTests
{
    [Theory]
    [InlineData("en", "The refund policy applies to all orders that were placed in the last thirty days, and it is valid for every customer of the store.")]
    [InlineData("de", "Die Rückerstattung gilt für alle Bestellungen, die in den letzten dreißig Tagen aufgegeben wurden, und sie ist nicht auf einen Kunden beschränkt.")]
    [InlineData("fr", "La politique de remboursement est valable pour toutes les commandes passées dans les trente derniers jours, et elle est pour tous les clients.")]
    [InlineData("es", "La política de reembolso se aplica a todos los pedidos que se realizaron en los últimos treinta días y es para todos los clientes del sitio.")]
    [InlineData("ru", "Политика возврата распространяется на все заказы, сделанные за последние тридцать дней.")]
    [InlineData("zh", "退款政策适用于过去三十天内下的所有订单，并且适用于所有客户。这是我们的承诺。")]
    [InlineData("ja", "返金ポリシーは、過去三十日以内に行われたすべての注文に適用されます。よろしくお願いします。")]
    public void Detects_the_language_of_running_text(string expected, string text) =>
        LanguageDetector.Detect(text).Should().Be(expected);

    [Theory]
    // Function words count whatever their case and next to punctuation or digits; the accented ones ("für", "más")
    // count too, and long words are words that count towards the share the winner needs.
    [InlineData("de", "DIE RÜCKERSTATTUNG GILT FÜR ALLE BESTELLUNGEN, DIE IN DEN LETZTEN TAGEN AUFGEGEBEN WURDEN, UND SIE IST NICHT AUF EINEN KUNDEN BESCHRÄNKT.")]
    [InlineData("es", "(Más)12el-la/los#de\"que\"y las; por: un. una! con? para[es]del{se}al como pero ventajas")]
    [InlineData(null, "Internationalization considerations notwithstanding, extraordinarily comprehensive documentation accompanies every implementation. The end.")]
    public void Counts_function_words_in_any_case_between_separators(string? expected, string text) =>
        LanguageDetector.Detect(text).Should().Be(expected);

    [Theory]
    [InlineData("")]
    [InlineData("x = 1; y = 2;")]
    [InlineData("1234 5678 90")]
    public void Says_null_when_unsure(string text) => LanguageDetector.Detect(text).Should().BeNull();
}
