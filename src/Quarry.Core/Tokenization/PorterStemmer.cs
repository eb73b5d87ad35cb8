namespace Quarry.Tokenization;

/// <summary>
/// The Porter (1980) stemming algorithm, the one SQLite's FTS5 "porter" tokenizer and most BM25 baselines use, so that
/// answer selection and citation checks conflate the same word forms the index does ("closes"/"close", "running"/"run").
/// Input is a lower-case word; words of one or two letters are returned unchanged.
/// </summary>
internal static class PorterStemmer
{
    public static string Stem(string word)
    {
        if (word.Length <= 2) return word;
        foreach (var ch in word)
        {
            if (ch is < 'a' or > 'z') return word; // Digits, accents, other scripts: left alone.
        }
        var b = word.ToCharArray();
        var k = b.Length - 1;
        k = Step1ab(b, k);
        k = Step1c(b, k);
        k = Step2(b, k);
        k = Step3(b, k);
        k = Step4(b, k);
        k = Step5(b, k);
        return new string(b, 0, k + 1);
    }

    private static bool IsConsonant(char[] b, int i) => b[i] switch
    {
        'a' or 'e' or 'i' or 'o' or 'u' => false,
        'y' => i == 0 || !IsConsonant(b, i - 1),
        _ => true,
    };

    /// <summary>The number of vowel-consonant sequences in b[0..j].</summary>
    private static int Measure(char[] b, int j)
    {
        int n = 0, i = 0;
        while (true)
        {
            if (i > j) return n;
            if (!IsConsonant(b, i)) break;
            i++;
        }
        i++;
        while (true)
        {
            while (true)
            {
                if (i > j) return n;
                if (IsConsonant(b, i)) break;
                i++;
            }
            i++;
            n++;
            while (true)
            {
                if (i > j) return n;
                if (!IsConsonant(b, i)) break;
                i++;
            }
            i++;
        }
    }

    private static bool HasVowel(char[] b, int j)
    {
        for (var i = 0; i <= j; i++)
        {
            if (!IsConsonant(b, i)) return true;
        }
        return false;
    }

    private static bool DoubleConsonant(char[] b, int j) => j >= 1 && b[j] == b[j - 1] && IsConsonant(b, j);

    /// <summary>consonant-vowel-consonant ending at i, the last not w, x or y ("hop" → "hope" rules).</summary>
    private static bool Cvc(char[] b, int i) =>
        i >= 2 && IsConsonant(b, i) && !IsConsonant(b, i - 1) && IsConsonant(b, i - 2) && b[i] is not ('w' or 'x' or 'y');

    private static bool EndsWith(char[] b, int k, string s, out int j)
    {
        j = k - s.Length;
        if (s.Length > k + 1) return false;
        for (var i = 0; i < s.Length; i++)
        {
            if (b[k - s.Length + 1 + i] != s[i]) return false;
        }
        return true;
    }

    /// <summary>Replaces b[j+1..k] with s and returns the new end.</summary>
    private static int SetTo(char[] b, int j, string s)
    {
        for (var i = 0; i < s.Length; i++) b[j + 1 + i] = s[i];
        return j + s.Length;
    }

    private static int Step1ab(char[] b, int k)
    {
        int j;
        if (b[k] == 's')
        {
            if (EndsWith(b, k, "sses", out j)) k -= 2;
            else if (EndsWith(b, k, "ies", out j)) k = SetTo(b, j, "i");
            else if (k >= 1 && b[k - 1] != 's') k--;
        }
        if (EndsWith(b, k, "eed", out j))
        {
            if (Measure(b, j) > 0) k--;
        }
        else if ((EndsWith(b, k, "ed", out j) || EndsWith(b, k, "ing", out j)) && HasVowel(b, j))
        {
            k = j;
            if (EndsWith(b, k, "at", out j)) k = SetTo(b, j, "ate");
            else if (EndsWith(b, k, "bl", out j)) k = SetTo(b, j, "ble");
            else if (EndsWith(b, k, "iz", out j)) k = SetTo(b, j, "ize");
            else if (DoubleConsonant(b, k))
            {
                if (b[k] is not ('l' or 's' or 'z')) k--;
            }
            else if (Measure(b, k) == 1 && Cvc(b, k))
            {
                k = SetTo(b, k, "e");
            }
        }
        return k;
    }

    private static int Step1c(char[] b, int k)
    {
        if (EndsWith(b, k, "y", out var j) && HasVowel(b, j)) b[k] = 'i';
        return k;
    }

    private static readonly (string Suffix, string Replacement)[] Step2Rules =
    [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"), ("bli", "ble"),
        ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
        ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"),
        ("iviti", "ive"), ("biliti", "ble"), ("logi", "log"),
    ];

    private static readonly (string Suffix, string Replacement)[] Step3Rules =
    [
        ("icate", "ic"), ("ative", ""), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", ""), ("ness", ""),
    ];

    // Longest first: the longest matching suffix decides ("ement" before "ment" before "ent").
    private static readonly string[] Step4Suffixes =
    [
        "ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ion", "ism", "ate", "iti", "ous", "ive", "ize",
        "al", "er", "ic", "ou",
    ];

    private static int Step2(char[] b, int k) => ReplaceWhenMeasured(b, k, Step2Rules);

    private static int Step3(char[] b, int k) => ReplaceWhenMeasured(b, k, Step3Rules);

    private static int ReplaceWhenMeasured(char[] b, int k, (string Suffix, string Replacement)[] rules)
    {
        foreach (var (suffix, replacement) in rules)
        {
            if (!EndsWith(b, k, suffix, out var j)) continue;
            return Measure(b, j) > 0 ? SetTo(b, j, replacement) : k;
        }
        return k;
    }

    private static int Step4(char[] b, int k)
    {
        foreach (var suffix in Step4Suffixes)
        {
            if (!EndsWith(b, k, suffix, out var j)) continue;
            if (suffix == "ion" && (j < 0 || b[j] is not ('s' or 't'))) continue;
            return Measure(b, j) > 1 ? j : k;
        }
        return k;
    }

    private static int Step5(char[] b, int k)
    {
        if (b[k] == 'e')
        {
            var m = Measure(b, k - 1);
            if (m > 1 || (m == 1 && !Cvc(b, k - 1))) k--;
        }
        if (b[k] == 'l' && DoubleConsonant(b, k) && Measure(b, k) > 1) k--;
        return k;
    }
}
