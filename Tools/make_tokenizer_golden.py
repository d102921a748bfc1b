#!/usr/bin/env python3
"""Writes the golden text → token-id table that Tests/CLIPTokenizerTests checks the Swift tokenizer against.

Reference: transformers' CLIPTokenizer (the tokenizers-backed one CLIPSegProcessor loads) from the model folder
(default Samples/models/shapes), called as tokenizer(text, truncation=True)["input_ids"]: start and end tokens,
truncated to model_max_length (77) keeping the end token, no padding.

The strings: a hand-written list covering each case the tokenizer must get right (empty, whitespace, CJK, emoji
with ZWJ sequences and flags, precomposed and combining accents, full-width forms, apostrophes and quotes,
HTML entities, tabs/newlines, digits, punctuation runs, mixed scripts, special-token spellings, odd code points,
strings far past 77 tokens), then random strings from a fixed seed drawn from the same families. Surrogates are
never generated.

Usage: Tools/make_tokenizer_golden.py [--model DIR] [--out FILE] [--seed N] [--random-count N]
Output: JSON {"generator", "transformers", "tokenizers", "model", "max_length", "seed", "cases": [{"category",
"text", "ids"}]}, one case per line, non-printing characters written as \\u escapes.
"""
import argparse
import json
import os
import random
import sys
import unicodedata

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# ---------------------------------------------------------------------------------------------------------
# Hand-written cases: (category, text).

HANDWRITTEN = [
    ("empty", ""),
    ("whitespace", " "), ("whitespace", "   "), ("whitespace", "\t"), ("whitespace", "\n"), ("whitespace", "\r\n"),
    ("whitespace", "\t \n\u00a0\u3000"), ("whitespace", "\u2028\u2029\u0085\u000b\u000c"),
    ("whitespace", "a\u00a0b"), ("whitespace", "a\u2028b"), ("whitespace", "a\u0085b"), ("whitespace", "a\u202fb"),
    ("whitespace", "a\u3000b"), ("whitespace", "a\u200bb"), ("whitespace", "a\ufeffb"), ("whitespace", "a\u180eb"),
    ("whitespace", "a  photo\tof\na cat"), ("whitespace", "  leading"), ("whitespace", "trailing  "),
    ("whitespace", "line one\nline two\r\nline three\rfour"), ("whitespace", "tab\tseparated\tvalues\t1\t2"),
    ("basic", "a photo of a cat"), ("basic", "red circle"), ("basic", "A Photo Of A CAT"), ("basic", "a dog"),
    ("basic", "the blue square on the left"), ("basic", "background"), ("basic", "sky"), ("basic", "x"),
    ("apostrophe", "it's"), ("apostrophe", "don't"), ("apostrophe", "we're"), ("apostrophe", "they've"),
    ("apostrophe", "I'm"), ("apostrophe", "you'll"), ("apostrophe", "he'd"), ("apostrophe", "IT'S DON'T"),
    ("apostrophe", "it\u2019s"), ("apostrophe", "it\u2018s"), ("apostrophe", "rock 'n' roll"), ("apostrophe", "'s"),
    ("apostrophe", "'''s"), ("apostrophe", "students'"), ("apostrophe", "'sup"), ("apostrophe", "o'clock"),
    ("apostrophe", "'tis"), ("apostrophe", "'re'"), ("apostrophe", "y'all'd've"), ("apostrophe", "'"),
    ("apostrophe", "a'b'c'd"), ("apostrophe", "!'s"), ("apostrophe", "'ll'"), ("apostrophe", "rock'n'roll's"),
    ("quotes", "\"quoted\""), ("quotes", "\u201csmart quotes\u201d"), ("quotes", "\u00abguillemets\u00bb"),
    ("quotes", "\u201eGerman\u201c"), ("quotes", "\u2039single\u203a"), ("quotes", "`backtick`"), ("quotes", "''"),
    ("quotes", "\"\""), ("quotes", "\u300cJapanese\u300d"), ("quotes", "\u2032prime\u2033"),
    ("html", "&amp;"), ("html", "&lt;b&gt;bold&lt;/b&gt;"), ("html", "&#39;s"), ("html", "&quot;x&quot;"),
    ("html", "&nbsp;"), ("html", "&#x1F600;"), ("html", "<b>bold</b>"), ("html", "<br/>"), ("html", "Tom &amp; Jerry"),
    ("html", "<a href=\"https://example.com\">link</a>"), ("html", "&copy; 2024 &mdash; all rights"),
    ("digits", "0"), ("digits", "1234567890"), ("digits", "3.14159"), ("digits", "1,000,000"),
    ("digits", "2024-01-01"), ("digits", "12:30pm"), ("digits", "42nd"), ("digits", "\u00bd"), ("digits", "x\u00b2"),
    ("digits", "\u0663\u0664"), ("digits", "\u096a\u0968"), ("digits", "\u216b"), ("digits", "\u2460\u2461"),
    ("digits", "\uff11\uff12\uff13"), ("digits", "\U0001d7d8\U0001d7d9"), ("digits", "1st 2nd 3rd 4th"),
    ("punctuation", "!!!"), ("punctuation", "?!?!"), ("punctuation", "..."), ("punctuation", "\u2014"),
    ("punctuation", "--"), ("punctuation", "***"), ("punctuation", "#hashtag"), ("punctuation", "@user"),
    ("punctuation", "http://example.com/a?b=c&d=e"), ("punctuation", "email@example.com"), ("punctuation", "C++"),
    ("punctuation", "a/b\\c"), ("punctuation", "(parens)"), ("punctuation", "[brackets]"), ("punctuation", "{braces}"),
    ("punctuation", "~!@#$%^&*()_+`-=[]{}|;':\",./<>?"), ("punctuation", "\u00bf\u00a1hola!?"),
    ("accents", "caf\u00e9"), ("accents", "cafe\u0301"), ("accents", "na\u00efve"), ("accents", "\u00c5ngstr\u00f6m"),
    ("accents", "\u212bngstr\u00f6m"), ("accents", "\u00f1"), ("accents", "n\u0303"), ("accents", "Cr\u00e8me Br\u00fbl\u00e9e"),
    ("accents", "\u00c0\u00c9\u00ce\u00d5\u00dc"), ("accents", "e\u0301\u0300"), ("accents", "a\u0301\u0328"),
    ("accents", "\u1e9b\u0323"), ("accents", "\u01c4\u01c5\u01c6"), ("accents", "\ufb01ne"), ("accents", "stra\u00dfe"),
    ("accents", "\u1e9e"), ("accents", "\u0130stanbul"), ("accents", "\u03a3\u0391\u03a3"),
    ("accents", "\u1f48\u0394\u03a5\u03a3\u03a3\u0395\u038e\u03a3"), ("accents", "\u212a"), ("accents", "\u2126"),
    ("accents", "\u0041\u030a"), ("accents", "\u0958"), ("accents", "\u0344"), ("accents", "\u0301"),
    # Normalization edge cases: Hangul LV + T, supplementary-plane starters before marks, compositions and
    # marks newer than the reference's Unicode 9 NFC tables, Tibetan vowels that decompose to non-starters.
    ("nfc", "\uac00\u11a8"), ("nfc", "\ubb50\u11ac"), ("nfc", "\u1100\u1161\u11a8\u11a8"),
    ("nfc", "\U00010041\u0301"), ("nfc", "\U000e0041\u0309"), ("nfc", "\u597e\U000e0065\u0330"),
    ("nfc", "\U00011099\U000110ba"), ("nfc", "\U00011935\U00011930"), ("nfc", "a\u033b\u0d3c"),
    ("nfc", "a\u0345\u0d3c\u0301"), ("nfc", "a\u1dcf\u0f73"), ("nfc", "\U00016b32\u0f75"), ("nfc", "a\u0345\u0344"),
    ("nfc", "\u0f73\u0f75\u0f81"), ("nfc", "\u0b47\u0b3e"), ("nfc", "\u0dd9\u0dcf\u0dca"), ("nfc", "\u304b\u3099"),
    ("cjk", "\u732b\u306e\u5199\u771f"), ("cjk", "\u4e00\u53ea\u732b\u7684\u7167\u7247"),
    ("cjk", "\uace0\uc591\uc774 \uc0ac\uc9c4"), ("cjk", "\u1100\u1161\u11a8"), ("cjk", "\uff76\uff80\uff76\uff85"),
    ("cjk", "\u30ab\u30bf\u30ab\u30ca"), ("cjk", "\u6f22\u5b57\u304b\u306a\u30ab\u30ca"),
    ("cjk", "\u4e2d\u6587\uff0c\u6807\u70b9\u3002"), ("cjk", "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\uff01"),
    ("cjk", "\U00020000\U0002a6d6"),
    ("fullwidth", "\uff21\uff22\uff23\u3000\uff44\uff45\uff46"), ("fullwidth", "\uff48\uff45\uff4c\uff4c\uff4f\uff01"),
    ("fullwidth", "\uff08\u5168\u89d2\uff09"), ("fullwidth", "\uff07\uff53"),
    ("emoji", "\U0001f600"), ("emoji", "\U0001f44d\U0001f3fd"),
    ("emoji", "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"),
    ("emoji", "\U0001f3f3\ufe0f\u200d\U0001f308"), ("emoji", "\U0001f1fa\U0001f1f8\U0001f1ef\U0001f1f5"),
    ("emoji", "\U0001f1ec\U0001f1e7"), ("emoji", "#\ufe0f\u20e3"), ("emoji", "1\ufe0f\u20e3"), ("emoji", "\u2764\ufe0f"),
    ("emoji", "\U0001f9d1\U0001f3ff\u200d\U0001f680"), ("emoji", "a\U0001f600b"), ("emoji", "\U0001f600" * 3),
    ("emoji", "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"), ("emoji", "\u2603"),
    ("emoji", "\u2714\ufe0e"), ("emoji", "red \U0001f534 circle"),
    ("mixed", "Hello \u043c\u0438\u0440 \u4e16\u754c \u0639\u0627\u0644\u0645 \u05e9\u05dc\u05d5\u05dd \u0928\u092e\u0938\u094d\u0924\u0947"),
    ("mixed", "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac"),
    ("mixed", "\u041f\u0440\u0438\u0432\u0435\u0442, \u043a\u0430\u043a \u0434\u0435\u043b\u0430?"),
    ("mixed", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645"),
    ("mixed", "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd"), ("mixed", "\u0939\u093f\u0928\u094d\u0926\u0940"),
    ("mixed", "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22"), ("mixed", "\u10e5\u10d0\u10e0\u10d7\u10e3\u10da\u10d8"),
    ("mixed", "\u0540\u0561\u0575\u0565\u0580\u0565\u0576"), ("mixed", "\u12a0\u121b\u122d\u129b"),
    ("mixed", "\u0ba4\u0bae\u0bbf\u0bb4\u0bcd"), ("mixed", "\u16a0\u16a2\u16a6"),
    ("mixed", "\U0001d518\U0001d52b\U0001d526\U0001d520\U0001d52c\U0001d521\U0001d522"),
    ("mixed", "cat\u732bchat\u043a\u043e\u0442"), ("mixed", "abc123def456"),
    ("special", "<|startoftext|>"), ("special", "<|endoftext|>"), ("special", "a<|endoftext|>b"),
    ("special", "<|ENDOFTEXT|>"), ("special", "<|startoftext|><|endoftext|>"), ("special", "<|endoftext"),
    ("special", "<|endoftext|>" * 100), ("special", "<<|endoftext|>>"), ("special", " <|startoftext|> red"),
    ("special", "<|EndOfText|>x"), ("special", "!<|StartOfText|>"), ("special", "e<|endoftext|>\u0301"),
    ("special", "<|startoftext|>\u00a0<|endoftext|>"), ("special", "<|endoftext|>" + "word " * 80),
    ("controls", "\u0000"), ("controls", "a\u0000b"), ("controls", "\u0007\u001b[31m red"), ("controls", "\u007f"),
    ("controls", "\u0080\u009f"), ("controls", "\u202eabc\u202c"), ("controls", "\u200f"), ("controls", "\u2066x\u2069"),
    ("controls", "\ufe0f"), ("controls", "a\ufe0e"), ("controls", "\U000e0100"), ("controls", "a\u00adb"),
    ("odd", "\uffff"), ("odd", "\ufffe"), ("odd", "\U0010ffff"), ("odd", "\ue000"), ("odd", "\U000f0000"),
    ("odd", "\ufffd"), ("odd", "\u0378"), ("odd", "\U00010940\U00010941"), ("odd", "a\u088fb"),
    ("odd", "\U00011de0\U00011de1"), ("odd", "\ua7ce\ua7cf"), ("odd", "\U0001fbf0\U0001fbf9"), ("odd", "\U000e0001"),
    ("long", "a " * 74), ("long", "a " * 75), ("long", "a " * 76), ("long", "a " * 100), ("long", "cat " * 200),
    ("long", "supercalifragilisticexpialidocious" * 5), ("long", "x" * 1000), ("long", "\U0001f600" * 100),
    ("long", "1" * 200), ("long", "!" * 500), ("long", "\u732b" * 120), ("long", "ab" * 300),
    ("long", "The quick brown fox jumps over the lazy dog. " * 10),
]

# ---------------------------------------------------------------------------------------------------------
# Random families.

WORDS = ("cat dog red blue green circle square triangle sky tree car person hand face road water the a of on in "
         "left right big small photo picture segment background foreground object striped dotted shiny").split()
WORDS += ["\u732b", "\u72ac", "\u8eca", "\u043a\u043e\u0442", "\u0441\u043e\u0431\u0430\u043a\u0430", "\u03b3\u03ac\u03c4\u03b1",
          "caf\u00e9", "na\u00efve", "\uace0\uc591\uc774", "\u0642\u0637", "\u05d7\u05ea\u05d5\u05dc", "\u092c\u093f\u0932\u094d\u0932\u0940",
          "\uff43\uff41\uff54", "\u00dcBER", "STRASSE", "\u0130I\u0131i", "\u1e9e\u00df", "\u03a3\u03bf\u03c6\u03af\u03b1\u03a3"]
SEPARATORS = [" ", " ", " ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u3000", ", ", ". ", "-", "_", "/", "", "'", "\u2019"]
CONTRACTION_SUFFIXES = ["s", "t", "re", "ve", "m", "ll", "d", "S", "T", "RE", "x", "", "'s", "sun", "tea"]
COMBINING = [chr(c) for c in range(0x0300, 0x0370)] + ["\u0323", "\u0328", "\u0345", "\u05b8", "\u05c1", "\u093c",
                                                      "\u094d", "\u3099", "\u309a", "\u20dd", "\u1ab0", "\u1dc0"]
EMOJI_BASES = [chr(c) for c in list(range(0x1F600, 0x1F650)) + list(range(0x1F466, 0x1F46A)) + [0x1F9D1, 0x1F3F3, 0x2764, 0x1F308,
                                                                                              0x1F680, 0x1F52C, 0x1F373]]
SKIN_TONES = [chr(c) for c in range(0x1F3FB, 0x1F400)]
REGIONAL = [chr(c) for c in range(0x1F1E6, 0x1F200)]
HTML_ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&nbsp;", "&#x27;", "&#8217;", "&copy;", "&hellip;", "&"]
PUNCTUATION = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + ["\u2014", "\u2026", "\u00bf", "\u00a1", "\u3001", "\u3002",
                                                            "\uff01", "\u00b7", "\u2022", "\u00a7", "\u00b6"]
SPECIAL_PARTS = ["<|startoftext|>", "<|endoftext|>", "<|STARTOFTEXT|>", "<|EndOfText|>", "<|", "|>", "<|endoftext", "startoftext"]

# Code point ranges for random Unicode, with weights; surrogates are excluded when drawing.
RANGES = [
    (10, 0x20, 0x7E), (3, 0x00, 0x1F), (3, 0x80, 0xFF), (3, 0x100, 0x24F), (4, 0x300, 0x36F), (3, 0x370, 0x52F),
    (2, 0x590, 0x6FF), (2, 0x900, 0x0DFF), (2, 0x0E00, 0x0EFF), (2, 0x1100, 0x11FF), (3, 0x2000, 0x206F),
    (2, 0x2070, 0x2BFF), (3, 0x3000, 0x30FF), (4, 0x4E00, 0x9FFF), (3, 0xAC00, 0xD7A3), (2, 0xE000, 0xF8FF),
    (2, 0xF900, 0xFFFF), (3, 0xFF00, 0xFFEF), (3, 0x1F000, 0x1FAFF), (2, 0x10000, 0x1FFFF), (1, 0x20000, 0x3FFFF),
    (1, 0xE0000, 0xE01EF), (1, 0xF0000, 0x10FFFF), (2, 0x0, 0x10FFFF),
]


def random_code_point(rng):
    weights = [w for w, _, _ in RANGES]
    while True:
        _, low, high = rng.choices(RANGES, weights=weights)[0]
        cp = rng.randint(low, high)
        if not 0xD800 <= cp <= 0xDFFF:
            return chr(cp)


def words_text(rng, count):
    parts = []
    for _ in range(count):
        word = rng.choice(WORDS)
        style = rng.random()
        if style < 0.15:
            word = word.upper()
        elif style < 0.3:
            word = word.capitalize()
        parts.append(word)
        parts.append(rng.choice(SEPARATORS))
    return "".join(parts)


def gen_words(rng):
    return words_text(rng, rng.randint(1, 12))


def gen_long(rng):
    return words_text(rng, rng.randint(40, 160))


def gen_unicode(rng):
    return "".join(random_code_point(rng) for _ in range(rng.randint(1, 24)))


def gen_long_unicode(rng):
    return "".join(random_code_point(rng) for _ in range(rng.randint(60, 300)))


def gen_accents(rng):
    out = []
    for _ in range(rng.randint(1, 6)):
        out.append(rng.choice("aeiouAEIOUnNcCsSzZyY\u03b1\u03b9\u03c9\u0418\u0433\u3042\u304b\u1100\u1161\u11a8 "))
        out.extend(rng.choice(COMBINING) for _ in range(rng.randint(0, 4)))
    return "".join(out)


def gen_emoji(rng):
    out = []
    for _ in range(rng.randint(1, 5)):
        kind = rng.random()
        if kind < 0.3:
            seq = [rng.choice(EMOJI_BASES) + (rng.choice(SKIN_TONES) if rng.random() < 0.4 else "")
                   for _ in range(rng.randint(2, 4))]
            out.append("\u200d".join(seq))
        elif kind < 0.55:
            out.append(rng.choice(REGIONAL) + rng.choice(REGIONAL))
        elif kind < 0.65:
            out.append(rng.choice("0123456789#*") + "\ufe0f\u20e3")
        elif kind < 0.8:
            out.append(rng.choice(EMOJI_BASES) + rng.choice(["\ufe0f", "\ufe0e", ""]))
        else:
            out.append(rng.choice(WORDS))
        out.append(rng.choice(["", " ", "", "\u200d", "\u200b"]))
    return "".join(out)


def gen_apostrophes(rng):
    out = []
    for _ in range(rng.randint(1, 6)):
        out.append(rng.choice(WORDS + ["", "", "it", "don", "we", "they", "I", "you", "o"]))
        out.append(rng.choice(["'", "'", "'", "\u2019", "\u2018", "`", "\uff07", "''"]))
        out.append(rng.choice(CONTRACTION_SUFFIXES))
        out.append(rng.choice([" ", "", "!", "'", ". "]))
    return "".join(out)


def gen_html(rng):
    out = []
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.4:
            out.append(rng.choice(HTML_ENTITIES))
        elif r < 0.6:
            tag = rng.choice(["b", "i", "br", "a", "div", "span"])
            out.append(rng.choice([f"<{tag}>", f"</{tag}>", f"<{tag}/>"]))
        else:
            out.append(rng.choice(WORDS))
        out.append(rng.choice(["", " ", ""]))
    return "".join(out)


def gen_digits_punctuation(rng):
    out = []
    for _ in range(rng.randint(1, 8)):
        r = rng.random()
        if r < 0.35:
            out.append("".join(rng.choice("0123456789") for _ in range(rng.randint(1, 8))))
        elif r < 0.7:
            out.append("".join(rng.choice(PUNCTUATION) for _ in range(rng.randint(1, 6))))
        elif r < 0.8:
            out.append(rng.choice(["\u00bd", "\u00b2", "\u2460", "\u216b", "\u0663", "\uff15", "\U0001d7d9", "\u4e94"]))
        else:
            out.append(rng.choice(WORDS))
        out.append(rng.choice(["", " ", "", "\t"]))
    return "".join(out)


def gen_fullwidth(rng):
    return "".join(chr(rng.randint(0xFF01, 0xFF5E)) if rng.random() < 0.85 else rng.choice([" ", "\u3000", "a"])
                   for _ in range(rng.randint(1, 16)))


def gen_special(rng):
    out = []
    for _ in range(rng.randint(1, 5)):
        out.append(rng.choice(SPECIAL_PARTS) if rng.random() < 0.5 else rng.choice(WORDS))
        out.append(rng.choice(["", " ", "", "\n"]))
    return "".join(out)


def gen_whitespace(rng):
    spaces = [" ", "\t", "\n", "\r", "\u000b", "\u000c", "\u00a0", "\u0085", "\u1680", "\u2000", "\u2007", "\u200a",
              "\u2028", "\u2029", "\u202f", "\u205f", "\u3000", "\u200b", "\u180e", "\ufeff"]
    return "".join(rng.choice(spaces) if rng.random() < 0.6 else rng.choice(WORDS) for _ in range(rng.randint(1, 10)))


FAMILIES = [
    ("random-words", gen_words, 160), ("random-long", gen_long, 60), ("random-unicode", gen_unicode, 260),
    ("random-long-unicode", gen_long_unicode, 30), ("random-accents", gen_accents, 90), ("random-emoji", gen_emoji, 90),
    ("random-apostrophes", gen_apostrophes, 70), ("random-html", gen_html, 50),
    ("random-digits-punctuation", gen_digits_punctuation, 70), ("random-fullwidth", gen_fullwidth, 40),
    ("random-special", gen_special, 40), ("random-whitespace", gen_whitespace, 40),
]


def random_cases(seed, total):
    """`total` random cases split across the families in proportion to their default counts."""
    rng = random.Random(seed)
    default_total = sum(n for _, _, n in FAMILIES)
    cases = []
    for name, generate, n in FAMILIES:
        for _ in range(max(1, round(n * total / default_total))):
            cases.append((name, generate(rng)))
    return cases


# ---------------------------------------------------------------------------------------------------------
# Output.

ESCAPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs", "Mn", "Me", "Mc"}


def json_string(text):
    """A JSON string literal; printable characters raw (UTF-8), others as \\u escapes."""
    out = ['"']
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch != " " and unicodedata.category(ch) in ESCAPED_CATEGORIES:
            cp = ord(ch)
            if cp >= 0x10000:
                cp -= 0x10000
                out.append("\\u%04x\\u%04x" % (0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)))
            else:
                out.append("\\u%04x" % cp)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=os.path.join(REPO, "Samples/models/shapes"))
    parser.add_argument("--out", default=os.path.join(REPO, "Tests/Fixtures/tokenizer/golden.json"))
    parser.add_argument("--seed", type=int, default=20250214)
    parser.add_argument("--random-count", type=int, default=1000, help="number of random strings (default 1000)")
    args = parser.parse_args()

    import tokenizers
    import transformers
    from transformers import CLIPTokenizer

    tokenizer = CLIPTokenizer.from_pretrained(args.model)
    cases = HANDWRITTEN + random_cases(args.seed, args.random_count)
    lines = []
    for category, text in cases:
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
        ids = tokenizer(text, truncation=True)["input_ids"]
        assert ids[0] == tokenizer.bos_token_id and ids[-1] == tokenizer.eos_token_id
        assert len(ids) <= tokenizer.model_max_length
        lines.append('{"category":%s,"text":%s,"ids":%s}' % (
            json_string(category), json_string(text), json.dumps(ids, separators=(",", ":"))))

    model = os.path.relpath(os.path.abspath(args.model), REPO)
    header = {
        "generator": "Tools/make_tokenizer_golden.py",
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "model": model,
        "max_length": tokenizer.model_max_length,
        "seed": args.seed,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("{\n")
        for key, value in header.items():
            f.write("%s: %s,\n" % (json.dumps(key), json.dumps(value)))
        f.write('"cases": [\n' + ",\n".join(lines) + "\n]}\n")

    # The file must read back to exactly the strings that were tokenized.
    with open(args.out, encoding="utf-8") as f:
        written = json.load(f)["cases"]
    assert [c["text"] for c in written] == [t for _, t in cases]
    print("wrote %d cases (%d bytes) to %s" % (len(cases), os.path.getsize(args.out), args.out), file=sys.stderr)


if __name__ == "__main__":
    main()
