"""The training script end to end on a small invented news set: valid, loadable, deterministic."""

import json
import random

import pytest

from bot.answering.evidence import EvidenceScorer, load_weights
from evals import train_data, train_scorer
from evals.realtimeqa import RtCase, split_weeks
from tests.fakes import FakeEmbedder

pytest.importorskip("sklearn")

TEAMS = ["Harbor Hawks", "River Owls", "Delta Foxes", "Summit Bears", "Coast Gulls", "Valley Elks"]
PEOPLE = ["Ada Lind", "Piet Laan", "Ines Varga", "Mara Quint", "Ola Dahl", "Ida Brun", "Lena Moss"]
TOWNS = ["Porto", "Lagos", "Tromso", "Cusco", "Nantes", "Graz"]


def _world(n: int, seed: int):
    rnd = random.Random(seed)
    cases, articles = [], {}
    for i in range(n):
        team, person, town = rnd.choice(TEAMS), rnd.choice(PEOPLE), rnd.choice(TOWNS)
        other = rnd.choice([p for p in PEOPLE if p != person])
        aid, bid = f"a{seed}-{i}", f"b{seed}-{i}"
        articles[aid] = {"id": aid, "title": f"{team} news", "published": "2024-03-04", "text": (
            f"The {team} played in {town} on Sunday night. Fans filled the stadium early. "
            f"{person} was named the new coach of the {team} on Monday. Tickets sold out quickly.")}
        articles[bid] = {"id": bid, "title": "Weather", "published": "2023-01-02", "text": (
            f"Heavy rain fell across {town} all week. {other} said the roads were closed for hours.")}
        answerable = i % 3 != 0
        cases.append(RtCase(f"q{seed}-{i}", f"Who was named the new coach of the {team}?", "2024-03-08",
                            person if answerable else "Nobody", answerable, (aid,) if answerable else (),
                            (aid, bid) if answerable else (bid,)))
    return cases, articles


def test_train_writes_loadable_deterministic_weights(tmp_path):
    train_cases, arts = _world(24, 1)
    cal_cases, arts2 = _world(18, 2)
    arts.update(arts2)
    doc = train_scorer.train(train_cases, cal_cases, arts, FakeEmbedder())
    again = train_scorer.train(train_cases, cal_cases, arts, FakeEmbedder())
    assert json.dumps(doc, sort_keys=True) == json.dumps(again, sort_keys=True)
    path = tmp_path / "w.json"
    path.write_text(json.dumps(doc))
    weights = load_weights(path)
    assert 0.0 < weights.threshold <= 0.95 and weights.span is not None
    second = doc["runner_up"]  # the runner-up cutoff keeps the calibration answers within the length budget
    assert weights.runner_up == second["threshold"] >= weights.threshold
    assert second["median_words"] is None or second["median_words"] <= second["max_median_words"]
    # the coaching sentence, not the weather, answers a coaching question
    assert doc["calibration"]["top1_accuracy_answerable"] >= 0.9
    scorer = EvidenceScorer(weights, FakeEmbedder().embed)
    from tests.test_evidence_core import passage

    ev = scorer.assess("Who was named the new coach of the Delta Foxes?", [
        passage("x", "Rain fell across Graz all week. Ola Dahl said roads were closed."),
        passage("y", "The Delta Foxes lost in Graz. Ida Brun was named the new coach of the Delta Foxes.", rank=2)])
    assert ev.scored[0].candidate.text == "Ida Brun was named the new coach of the Delta Foxes."


def test_compare_scorers_fits_both_learners_and_scores_them_as_the_scorer_is_used():
    from evals import compare_scorers

    train_cases, arts = _world(24, 1)
    cal_cases, arts2 = _world(18, 2)
    arts.update(arts2)
    cache = train_data.EmbeddingCache(FakeEmbedder(), None)
    train = train_data.build_examples(train_cases, arts, None, cache)
    cal = train_data.build_examples(cal_cases, arts, None, cache)
    got = compare_scorers.compare(train, cal, 1.0)
    assert len(got) == 1 + len(compare_scorers.BOOSTED)
    assert got["logistic C=1.0"]["top1"] >= 0.9  # the coaching sentence, not the weather
    assert all(0.0 <= s["top1"] <= 1.0 and 0.5 <= s["balanced"] <= 1.0 for s in got.values())


def test_labels_and_thresholds():
    assert train_data.norm("“Ada” LIND") == "ada lind"
    assert train_scorer.span_label("Ada Lind", "ada lind")
    assert not train_scorer.span_label("Ada Lind of the Harbor Hawks club", "Ada Lind")
    # a label says the sentence states the answer: whole words, not a piece of another word
    assert train_data.states_gold("Ada Lind", "Coach “Ada Lind” won.") and train_data.states_gold("$5", "It cost $5.")
    assert not train_data.states_gold("2", "It opened in 2020.") and not train_data.states_gold("Lind", "Lindqvist won.")
    assert not train_scorer.span_label("2020", "2") and train_scorer.span_label("2 astronauts", "2")
    outcomes = [(0.9, True, True, True), (0.8, False, False, False), (0.3, True, True, True), (0.2, False, True, True)]
    t = train_scorer.choose_threshold(outcomes, 0.6)
    answered = [r for p, r, *_ in outcomes if p >= t]
    assert sum(answered) / len(answered) >= 0.6
    assert train_scorer.choose_threshold(outcomes, 1.0) == 0.81


def test_split_weeks_is_chronological_and_disjoint():
    weeks = [(2024, w) for w in range(1, 21)]
    s = split_weeks(weeks)
    assert set(s["train"]) | set(s["calibration"]) | set(s["test"]) == set(weeks)
    assert max(s["train"]) < min(s["calibration"]) and max(s["calibration"]) < min(s["test"])
    assert len(s["train"]) == 12 and len(s["test"]) == 4


def test_model_answer_outcomes_right_wrong_refused_and_the_bar_between_them():
    from evals import model_bar

    train_cases, arts = _world(24, 1)
    cal_cases, arts2 = _world(18, 2)
    arts.update(arts2)
    doc = train_scorer.train(train_cases, cal_cases, arts, FakeEmbedder())
    cache = train_data.EmbeddingCache(FakeEmbedder(), None)
    case = next(c for c in cal_cases if c.answerable)
    from bot.answering.confirm import CONFIRM_FEATURES

    def got(answer):
        out = model_bar.outcome(doc, case, answer, arts, cache)
        return None if out is None else (dict(zip(CONFIRM_FEATURES, out[0])), out[1])

    right, wrong = got(case.gold), got(next(p for p in PEOPLE if p != case.gold and p in arts[case.retrieved[1]]["text"]))
    absent = got("Zed Quorn")  # said nowhere
    assert right is not None and right[1] and right[0]["stated"] == 1.0 and right[0]["p_stating"] > 0.5
    assert wrong is not None and not wrong[1] and wrong[0]["stated"] == 1.0  # stated, but by the weather story
    assert 0.0 < wrong[0]["p_stating"] < right[0]["p_stating"] and wrong[0]["rank"] < right[0]["rank"]
    assert absent is not None and absent[0]["stated"] == 0.0 and absent[0]["p_stating"] == 0.0 and not absent[1]
    assert got("The articles do not say who the coach is.") is None
    bar = model_bar.fit_bar([(r[0]["p_stating"], r[1]) for r in (right, wrong, absent)])
    assert wrong[0]["p_stating"] < bar <= right[0]["p_stating"]


def test_the_verification_mirror_tells_which_confirmed_answers_a_check_drops():
    from bot.answering.confirm import CONFIRM_FEATURES
    from evals import verify_mirror

    train_cases, arts = _world(24, 1)
    cal_cases, arts2 = _world(18, 2)
    arts.update(arts2)
    doc = train_scorer.train(train_cases, cal_cases, arts, FakeEmbedder())
    n = len(CONFIRM_FEATURES)  # a confirmation model that passes every stated answer (P = 0.5)
    doc["confirm"] = {"coef": [0.0] * n, "mean": [0.0] * n, "scale": [1.0] * n, "threshold": 0.1}
    cache = train_data.EmbeddingCache(FakeEmbedder(), None)
    case = next(c for c in cal_cases if c.answerable)
    weather = next(p for p in PEOPLE if p != case.gold and p in arts[case.retrieved[1]]["text"])
    rows = [verify_mirror.judge(doc, case, a, arts, cache) for a in (case.gold, weather, "Zed Quorn")]
    assert [r["verdict"] for r in rows] == ["shown", "dropped:name_missing", "not_stated"]
    # the weather story never names the team the question asks about: a wrong answer stopped
    assert verify_mirror.table(rows) == {"dropped:name_missing": {"right": 0, "wrong": 1},
                                         "shown": {"right": 1, "wrong": 0}}


def test_the_embedding_cache_is_reused_only_by_the_encoder_that_made_it(tmp_path):
    path = tmp_path / "emb.npz"
    first = FakeEmbedder()
    made = train_data.EmbeddingCache(first, path, tag="minilm/onnx")
    vectors = made.embed(["Storm Aldo reached the coast.", "Ferries were cancelled."])
    made.save()
    again = FakeEmbedder()
    assert (train_data.EmbeddingCache(again, path, tag="minilm/onnx").embed(["Ferries were cancelled."])
            == vectors[1]).all()
    assert again.embedded == 0  # read from the file
    other = FakeEmbedder()
    train_data.EmbeddingCache(other, path, tag="minilm@torch-bf16").embed(["Ferries were cancelled."])
    assert other.embedded == 1  # another encoder's vectors are not this one's


def test_training_embeds_as_the_pipeline_embeds_questions():
    """The scorer is fitted on the vectors it will be applied to: those of the question path."""
    from index.backends import CpuFeatures, parse_cpu_flags, resolve

    cpu = CpuFeatures(parse_cpu_flags("flags : avx2 avx512f avx512_bf16 amx_bf16"), onednn_bf16=True, onnx_export=True)
    assert resolve("auto", cpu, role="query").backend == train_scorer.TRAIN_BACKEND


def test_an_unreadable_embedding_cache_is_embedded_afresh(tmp_path, capsys):
    path = tmp_path / "emb.npz"
    path.write_bytes(b"PK\x03\x04 cut off")
    again = FakeEmbedder()
    train_data.EmbeddingCache(again, path, tag="minilm/onnx").embed(["Ferries were cancelled."])
    assert again.embedded == 1 and "unreadable" in capsys.readouterr().out


@pytest.mark.parametrize("content, says", [(None, "No such file"), ('{"x": 1}', "not a scorer weights file"),
                                           ("[", "not a scorer weights file")])
def test_compare_scorers_names_a_bad_weights_file_in_one_line_before_any_work(tmp_path, content, says):
    from evals import compare_scorers

    path = tmp_path / "w.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(SystemExit) as exc:
        compare_scorers.main(["--weights", str(path), "--data", str(tmp_path / "no-data")])
    message = str(exc.value)
    assert message.startswith(f"compare_scorers: {path}: ") and says in message and "\n" not in message
