import numpy as np

from insight.engine.text import code_points, ngram_hashes64, normalize, shingle_hashes, string_hashes64, words


def test_normalize_folds_width_case_and_drops_punctuation():
    assert normalize("Ａ市　A3区：“停水”了！！ 123") == "a市a3区停水了123"
    assert normalize("") == ""


def test_shingles_are_stable_and_unique():
    a = shingle_hashes("停水停水", 2)
    assert a.dtype == np.uint32
    assert a.tolist() == sorted(set(a.tolist()))
    assert len(a) == 2  # 停水, 水停
    assert shingle_hashes("停水停水", 2).tolist() == a.tolist()
    assert shingle_hashes("停", 2).size == 1
    assert shingle_hashes("", 2).size == 0


def test_string_hashes_match_text_ngram_hashes():
    text = "幸福小区停水"
    grams = [text[i:i + 2] for i in range(len(text) - 1)]
    assert string_hashes64(grams).tolist() == ngram_hashes64(code_points(text).astype(np.uint64), 2).tolist()
    assert string_hashes64(["幸"]).tolist() == ngram_hashes64(code_points("幸").astype(np.uint64), 1).tolist()


def test_words_drop_stop_words():
    assert words("尊敬的领导，我们小区停水了") == ["小区", "停水"]
