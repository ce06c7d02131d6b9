import copy
import pickle

import numpy as np
import pytest

from insight.engine.classifier import FORMAT, Model, prepare, train
from insight.tests.synthetic import TOPICS, corpus

HOUSING, WAGES, SCHOOL = list(TOPICS)


@pytest.fixture(scope="module")
def model() -> Model:
    texts, labels = corpus()
    return train(texts, labels)


def test_top_suggestion_is_the_topic_of_the_text_with_the_terms_that_drove_it(model):
    suggestions = model.suggest("开发商合同约定去年交房，楼盘至今逾期没有交付", k=3)
    assert [s.label for s in suggestions][0] == HOUSING
    assert len(suggestions) == 3
    assert {s.label for s in suggestions} == {HOUSING, WAGES, SCHOOL}
    top = suggestions[0]
    assert top.confidence > 0.6
    assert [s.confidence for s in suggestions] == sorted((s.confidence for s in suggestions), reverse=True)
    assert sum(s.confidence for s in suggestions) == pytest.approx(1.0, abs=2e-4)
    assert {"开发商", "交房", "逾期"} <= set(top.terms)
    label, confidence, terms = top  # unpacks like a tuple
    assert (label, confidence, terms) == (top.label, top.confidence, top.terms)


def test_each_topic_is_recognised(model):
    assert model.suggest("工地包工头拖欠农民工工资半年")[0].label == WAGES
    assert model.suggest("孩子小学入学报名学区划分不合理")[0].label == SCHOOL


def test_terms_come_from_the_text_and_push_the_label_up(model):
    top = model.suggest("农民工讨薪，工资被拖欠", k=1)[0]
    assert top.label == WAGES
    assert set(top.terms) == {"拖欠", "工资", "农民工", "讨薪"}


def test_k_limits_the_number_of_suggestions(model):
    assert len(model.suggest("学校招生", k=1)) == 1
    assert len(model.suggest("学校招生", k=10)) == 3  # only three labels exist


def test_probabilities_are_calibrated_softmax_of_scores(model):
    probs = model.probabilities(["学校招生入学", "拖欠工资"])
    assert probs.shape == (2, 3)
    assert np.allclose(probs.sum(axis=1), 1.0)
    assert model.temperature > 0
    assert model.suggest_many(["学校招生入学"], k=2)[0][0][0] == SCHOOL


def test_empty_text_gets_suggestions_without_terms(model):
    suggestions = model.suggest("", k=3)
    assert len(suggestions) == 3
    assert all(s.terms == () for s in suggestions)


def test_save_and_load_round_trip(model, tmp_path):
    path = model.save(tmp_path / "m" / "suggester.pkl")
    loaded = Model.load(path)
    text = "开发商逾期交房"
    assert loaded.suggest(text) == model.suggest(text)
    assert loaded.info["labels"] == {HOUSING: 30, WAGES: 30, SCHOOL: 30}
    assert loaded.info["params"]["class_weight"] == "balanced"


def test_load_refuses_other_files_and_other_versions(model, tmp_path):
    other = tmp_path / "other.pkl"
    other.write_bytes(pickle.dumps({"format": "something-else"}))
    with pytest.raises(ValueError, match="not a suggestion model"):
        Model.load(other)
    old = tmp_path / "old.pkl"
    old.write_bytes(pickle.dumps({"format": FORMAT, "version": 0, "model": model}))
    with pytest.raises(ValueError, match="retrain"):
        Model.load(old)


def test_labels_are_any_strings_and_two_labels_work():
    texts, labels = corpus(per_label=15)
    keep = [i for i, lab in enumerate(labels) if lab != SCHOOL]
    codes = {HOUSING: "K349902-ZJJ", WAGES: "K349902-RSJ"}
    m = train([texts[i] for i in keep], [codes[labels[i]] for i in keep])
    assert m.labels == ["K349902-RSJ", "K349902-ZJJ"]
    top = m.suggest("包工头拖欠工资", k=2)
    assert top[0].label == "K349902-RSJ"
    assert top[0].confidence > top[1].confidence


def test_training_needs_two_labels_and_matching_lengths():
    with pytest.raises(ValueError, match="two different labels"):
        train(["学校招生", "学校入学"], ["教育", "教育"])
    with pytest.raises(ValueError, match="differ in length"):
        train(["学校招生"], ["教育", "劳动"])


def test_prepare_normalises_and_drops_stop_words():
    doc = prepare("尊敬的领导：您好！ＡＢＣ小区（停车）问题", max_chars=100, word_chars=100)
    assert doc.chars == "尊敬的领导您好abc小区停车问题"
    assert "停车" in doc.words
    assert "领导" not in doc.words and "的" not in doc.words
    assert prepare("一二三四五六", max_chars=3).chars == "一二三"


def test_nearest_training_texts_vote_for_their_labels():
    texts, labels = corpus()
    # a text that repeats a training message of one label word for word, with words of another label added
    repeat = "区政府门口反映十年没有解决的老问题今天再次来信"
    odd = texts + [repeat] * 3
    odd_labels = labels + [SCHOOL] * 3
    with_votes = train(odd, odd_labels)
    without = train(odd, odd_labels, neighbours=0)
    assert with_votes.neighbours is not None and without.neighbours is None
    assert with_votes.info["params"]["neighbours"] == 5 and without.info["params"]["neighbours"] == 0
    probe = repeat + "拖欠工资"
    vote = with_votes.distribution(probe)[0][list(with_votes.classes).index(SCHOOL)]
    no_vote = without.distribution(probe)[0][list(without.classes).index(SCHOOL)]
    assert vote > no_vote
    # one text and a batch give the same scores
    batch = with_votes.probabilities([probe, "开发商逾期交房"])
    assert np.allclose(batch[0], with_votes.distribution(probe)[0], atol=1e-5)


def test_neighbour_votes_are_the_similarities_of_the_k_nearest(model):
    knn = model.neighbours
    assert knn is not None and knn.k == 5
    x = model.features.transform([prepare(t) for t in ["开发商逾期交房", ""]])
    votes = knn.votes(x) / knn.weight
    assert votes.shape == (2, 3)
    assert 0 < votes[0].sum() <= 5 + 1e-6  # five cosines, each at most 1
    assert votes[0].argmax() == list(model.classes).index(HOUSING)
    assert np.all(votes[1] == 0)  # an empty text has no neighbours


def test_models_saved_without_neighbours_still_suggest(model):
    old = copy.copy(model)
    del old.__dict__["neighbours"]
    assert old.suggest("开发商逾期交房")[0].label == HOUSING


def test_only_the_latest_training_texts_vote(monkeypatch):
    from insight.engine import classifier

    texts, labels = corpus()
    monkeypatch.setattr(classifier, "NEIGHBOUR_MAX_TEXTS", 6)
    model = train(texts, labels)
    assert model.neighbours is not None
    assert model.neighbours.xt.shape[1] == 6  # one column per voting text
    assert list(model.neighbours.labels) == [list(model.classes).index(label) for label in labels[-6:]]
    assert model.suggest("开发商逾期交房")
