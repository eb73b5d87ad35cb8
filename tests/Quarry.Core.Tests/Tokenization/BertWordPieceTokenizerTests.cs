using Quarry.Core.Tests.TestSupport;
using Quarry.Tokenization;

namespace Quarry.Core.Tests.Tokenization;

/// <summary>
/// Expected tokens were written by hand from entries of bert-base-uncased's vocab.txt (each one grepped there);
/// they are what Hugging Face's BertTokenizerFast produces.
/// </summary>
public class BertWordPieceTokenizerTests
{
    private static readonly BertWordPieceTokenizer Tokenizer = BertWordPieceTokenizer.Default;

    [Theory]
    [InlineData("Hello, world! How's it going?", "hello , world ! how ' s it going ?")]
    [InlineData("Café naïve résumé", "cafe naive resume")]
    [InlineData("unaffable", "una ##ffa ##ble")]
    [InlineData("東京タワーは高い", "東 京 タ ##ワ ##ー ##は 高 い")]
    [InlineData("I love 😀 emoji", "i love [UNK] em ##oj ##i")]
    [InlineData("pneumonoultramicroscopicsilicovolcanoconiosis",
        "p ##ne ##um ##ono ##ult ##ram ##ic ##ros ##copic ##sil ##ico ##vo ##lc ##ano ##con ##ios ##is")]
    [InlineData("The price rose 3.14% to $1,234.56 in 2024.", "the price rose 3 . 14 % to $ 1 , 234 . 56 in 202 ##4 .")]
    [InlineData("See https://fastapi.tiangolo.com/tutorial/ for docs.",
        "see https : / / fast ##ap ##i . tian ##gol ##o . com / tutor ##ial / for doc ##s .")]
    [InlineData("def read_item(item_id: int) -> dict:", "def read _ item ( item _ id : int ) - > di ##ct :")]
    [InlineData("HELLO\tWorld\u0000\u00AD\uFFFD!", "hello world !")]
    [InlineData("  \n\t ", "")]
    public void Tokenizes_like_hugging_face(string text, string expected)
    {
        var tokens = Tokenizer.Tokenize(text);

        tokens.Should().Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Tokenizer.CountTokens(text).Should().Be(tokens.Count);
    }

    [Fact]
    public void Encodes_vocabulary_ids_without_special_tokens()
    {
        // Line numbers in vocab.txt minus one: hello 7593, "," 1011, world 2089, "!" 1000.
        Tokenizer.Encode("Hello, world!").Should().Equal(7592, 1010, 2088, 999);
    }

    [Fact]
    public void A_word_over_100_characters_is_one_unknown_token()
    {
        // "xx" then 49 × "##xx": exactly at the limit the word is still split.
        Tokenizer.Tokenize(new string('x', 100)).Should().HaveCount(50).And.StartWith("xx").And.NotContain("[UNK]");
        Tokenizer.Tokenize(new string('x', 101)).Should().Equal("[UNK]");
        // The limit counts code points, and applies after punctuation splitting.
        Tokenizer.Tokenize(new string('x', 101) + ",xx").Should().Equal("[UNK]", ",", "xx");
        Tokenizer.Tokenize(string.Concat(Enumerable.Repeat("\U0001F642", 60))).Should().Equal("[UNK]");
    }

    [Fact]
    public void Accents_are_stripped_after_decomposition_and_combining_marks_alone_vanish()
    {
        Tokenizer.Tokenize("cafe\u0301 \u0301 İstanbul").Should().Equal("cafe", "istanbul");
    }

    [Fact]
    public void Counting_agrees_with_encoding_on_long_mixed_text()
    {
        var text = string.Join(' ', Enumerable.Repeat("Ünïcödé 東京 x\u2028y 🙂🙂a " + new string('é', 300) + " ok.", 50));

        Tokenizer.CountTokens(text).Should().Be(Tokenizer.Encode(text).Count);
    }

    [SharedDataFact]
    public void The_embedded_vocabulary_is_the_shared_bert_base_uncased_vocabulary()
    {
        var fromFile = BertWordPieceTokenizer.FromFile(SharedData.Path("models", "bert-base-uncased-vocab", "vocab.txt"));

        fromFile.VocabularySize.Should().Be(30522);
        Tokenizer.VocabularySize.Should().Be(30522);
        const string text = "FastAPI framework, high performance, easy to learn, fast to code, ready for production";
        fromFile.Encode(text).Should().Equal(Tokenizer.Encode(text));
    }

    [Fact]
    public void Cased_mode_keeps_case_and_accents()
    {
        string[] vocabulary = ["[UNK]", "Café", "caf", "##é", ","];
        var keepCase = new BertWordPieceTokenizer(vocabulary, doLowerCase: false);
        var uncased = new BertWordPieceTokenizer(vocabulary);

        keepCase.Tokenize("Café,café").Should().Equal("Café", ",", "caf", "##é");
        // "cafe" matches "caf" but then no "##e": the whole word is unknown.
        uncased.Tokenize("Café").Should().Equal("[UNK]");
    }
}
