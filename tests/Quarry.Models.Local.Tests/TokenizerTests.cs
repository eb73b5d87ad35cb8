using System.Text.Json;
using Quarry.Core.Tests.Tokenization;
using Quarry.Core.Tests.TestSupport;
using Quarry.Models.Local.Tests.TestSupport;
using Quarry.Tokenization;

namespace Quarry.Models.Local.Tests;

/// <summary>
/// Model inputs on the real vocabularies in ../shared/models: expected ids come from
/// scripts/fixtures/make_bert_fixtures.py (a port of transformers' BertTokenizer) in Fixtures/tokenizer-cases.json.
/// </summary>
public class TokenizerTests
{
    private static readonly JsonElement Cases = Load();

    private static JsonElement Load()
    {
        using var json = JsonDocument.Parse(File.ReadAllBytes(Fixtures.Path("tokenizer-cases.json")));
        return json.RootElement.Clone();
    }

    private static BertWordPieceTokenizer VocabTxt() => BertWordPieceTokenizer.FromFile(SharedData.Path("models", "bert-base-uncased-vocab", "vocab.txt"));

    private static BertWordPieceTokenizer TokenizerJson() => BertWordPieceTokenizer.FromTokenizerJson(SharedData.Path("models", "all-MiniLM-L6-v2-config", "tokenizer.json"));

    [SharedDataFact]
    public void Vocab_txt_and_tokenizer_json_encode_every_case_as_the_reference_does()
    {
        var fromVocab = VocabTxt();
        var fromJson = TokenizerJson();
        fromJson.VocabularySize.Should().Be(30522);
        foreach (var item in Cases.GetProperty("singles").EnumerateArray())
        {
            var text = item.GetProperty("text").GetString()!;
            var expected = Fixtures.Ints(item.GetProperty("ids"));
            fromVocab.Encode(text).Should().Equal(expected, text);
            fromJson.Encode(text).Should().Equal(expected, text);
        }
    }

    [SharedDataFact]
    public void Punctuation_accents_cjk_emoji_and_long_words_split_as_wordpiece_does()
    {
        var tokenizer = TokenizerJson();

        tokenizer.Tokenize("Naïve café, 東京!").Should().Equal("naive", "cafe", ",", "東", "京", "!");
        tokenizer.Tokenize("unaffable 😀").Should().Equal("una", "##ffa", "##ble", "[UNK]");
        tokenizer.Tokenize(new string('x', 101)).Should().Equal("[UNK]");
    }

    [SharedDataFact]
    public void A_single_text_is_truncated_to_the_maximum_length_with_its_special_tokens()
    {
        var item = Cases.GetProperty("truncated")[0];
        var inputs = new BertInputEncoder(VocabTxt(), item.GetProperty("max_length").GetInt32());
        var ids = new List<int>();

        var length = inputs.EncodeSingle(item.GetProperty("text").GetString()!, ids);

        ids.Should().Equal(Fixtures.Ints(item.GetProperty("ids")));
        length.Should().Be(16);
        ids[0].Should().Be(101);
        ids[^1].Should().Be(102);
    }

    [SharedDataFact]
    public void Pairs_are_encoded_with_token_types_and_longest_first_truncation()
    {
        var tokenizer = TokenizerJson();
        foreach (var item in Cases.GetProperty("pairs").EnumerateArray())
        {
            var inputs = new BertInputEncoder(tokenizer, item.GetProperty("max_length").GetInt32());
            var ids = new List<int>();

            var (length, firstSegment) = inputs.EncodePair(item.GetProperty("first").GetString()!, item.GetProperty("second").GetString()!, ids, []);

            ids.Should().Equal(Fixtures.Ints(item.GetProperty("ids")));
            var types = Fixtures.Ints(item.GetProperty("token_type_ids"));
            length.Should().Be(types.Length);
            firstSegment.Should().Be(types.Count(t => t == 0));
        }
    }

    [Theory]
    [InlineData(10, 600, 509, 10, 499)]
    [InlineData(600, 10, 509, 499, 10)]
    [InlineData(300, 300, 509, 254, 255)]
    [InlineData(301, 300, 509, 255, 254)]
    [InlineData(5, 5, 509, 5, 5)]
    [InlineData(1000, 2000, 10, 5, 5)]
    public void Longest_first_matches_hugging_face_tokenizers(int n1, int n2, int budget, int keep1, int keep2)
    {
        BertInputEncoder.LongestFirst(n1, n2, budget).Should().Be((keep1, keep2));
    }

    [Fact]
    public void Accent_stripping_can_be_turned_off_independently_of_lower_casing()
    {
        string[] vocabulary = ["[UNK]", "café", "cafe", "CAFE"];

        new BertWordPieceTokenizer(vocabulary, doLowerCase: true, stripAccents: false).Tokenize("CAFÉ").Should().Equal("café");
        new BertWordPieceTokenizer(vocabulary, doLowerCase: true).Tokenize("CAFÉ").Should().Equal("cafe");
        new BertWordPieceTokenizer(vocabulary, doLowerCase: false, stripAccents: true).Tokenize("CAFÉ").Should().Equal("CAFE");
    }

    [SharedDataFact]
    public void A_non_wordpiece_tokenizer_is_refused_by_name()
    {
        var load = () => BertWordPieceTokenizer.FromTokenizerJson(SharedData.Path("models", "model2vec-tiny-fixture", "tokenizer.json"));

        load.Should().Throw<InvalidDataException>().WithMessage("*the tokenizer model is Unigram; only BERT WordPiece tokenizers are supported*");
    }
}
