"""`newsbot ask` end to end: real store built by `newsbot index`, real answerers, real server."""

from __future__ import annotations

import json

import pytest

from tests.conftest import SEEDS, find_free_port, run_newsbot, subprocess_env

RUSSIA_Q = "Who is representing Russia in the talks?"
FRANCE_Q = "What is the capital of France?"
TOP_KEYS = {"question", "answer", "refused", "citations", "sentences", "backend", "model", "timings_ms"}
CITATION_KEYS = {"marker", "article_id", "title", "source", "url", "published", "quote", "start", "end", "score",
                 "story_id", "also_reported_by"}
SEED_TEXT = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}


def ask_json(store, *args, env=None):
    done = run_newsbot("ask", "--store", str(store), "--json", *args, env=env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1, done.stdout
    return json.loads(lines[0])


def check_schema(obj: dict) -> None:
    assert TOP_KEYS <= set(obj)
    assert isinstance(obj["refused"], bool) and isinstance(obj["answer"], str)
    assert set(obj["timings_ms"]) == {"retrieve", "evidence", "generate", "verify", "total"}
    for c in obj["citations"]:
        assert set(c) == CITATION_KEYS
        assert SEED_TEXT[c["article_id"]][c["start"]:c["end"]] == c["quote"]  # verbatim, exact span
    markers = {c["marker"] for c in obj["citations"]}
    for s in obj["sentences"]:
        assert set(s) == {"text", "citations", "supported", "evidence"}
        assert set(s["citations"]) <= markers and s["supported"] is True
        assert s["evidence"] is None or 0.0 <= s["evidence"] <= 1.0  # None: a model's own wording


@pytest.mark.slow
def test_ask_prints_the_answer_then_numbered_sources(seed_store_dir):
    done = run_newsbot("ask", RUSSIA_Q, "--store", str(seed_store_dir), "--llm", "extractive")
    assert done.returncode == 0, done.stderr
    answer, _, sources = done.stdout.partition("Sources:")
    assert "Dmitriev" in answer and "[1]" in answer
    assert "[1] " in sources and "“" in sources


@pytest.mark.slow
def test_ask_json_has_the_documented_schema(seed_store_dir):
    obj = ask_json(seed_store_dir, RUSSIA_Q, "--llm", "extractive", "-k", "3")
    check_schema(obj)
    assert obj["question"] == RUSSIA_Q and not obj["refused"] and obj["backend"] == "extractive"
    assert "Dmitriev" in obj["answer"] and obj["citations"]


@pytest.mark.slow
def test_out_of_corpus_question_is_refused_naming_the_closest_articles(seed_store_dir):
    obj = ask_json(seed_store_dir, FRANCE_Q, "--llm", "extractive")
    check_schema(obj)
    assert obj["refused"] and obj["citations"] == [] and "Paris" not in obj["answer"]
    assert obj["closest_articles"] and obj["closest_articles"][0] in obj["answer"]


@pytest.mark.slow
def test_batch_mode_answers_each_line_and_reports_bad_lines(seed_store_dir):
    questions = [RUSSIA_Q, "   ", "x" * 2001, FRANCE_Q, "How many points does the proposal have now?",
                 json.dumps({"question": RUSSIA_Q, "as_of": "2025-12-24"}), json.dumps({"q": RUSSIA_Q})]
    done = run_newsbot("ask", "--store", str(seed_store_dir), "--llm", "extractive", "--json", "-",
                       input="\n".join(questions) + "\n")
    assert done.returncode == 1  # some lines failed; the rest were answered
    objs = [json.loads(line) for line in done.stdout.strip().splitlines()]
    assert len(objs) == 7
    assert objs[5]["question"] == RUSSIA_Q and objs[5]["as_of"] == "2025-12-24"  # a JSON line: question + date
    assert objs[6]["line"] == 7 and 'needs "question"' in objs[6]["error"]  # not asked as if it were text
    assert "error" in objs[1] and "empty" in objs[1]["error"] and objs[1]["line"] == 2
    assert "error" in objs[2] and "2,000" in objs[2]["error"]
    for obj in (objs[0], objs[3], objs[4]):
        check_schema(obj)
    assert "Dmitriev" in objs[0]["answer"] and objs[3]["refused"] and "20" in objs[4]["answer"]


@pytest.mark.parametrize("question", ["", "   ", "y" * 2001])
def test_bad_questions_are_one_clear_line(tmp_path, question):
    done = run_newsbot("ask", question, "--store", str(tmp_path / "none"))
    assert done.returncode != 0 and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "question" in done.stderr


@pytest.mark.slow
def test_missing_or_empty_store_says_to_run_newsbot_index(tmp_path):
    for store in (tmp_path / "missing", tmp_path):
        done = run_newsbot("ask", RUSSIA_Q, "--store", str(store), "--llm", "extractive")
        assert done.returncode != 0
        assert len(done.stderr.strip().splitlines()) == 1 and "newsbot index" in done.stderr, done.stderr


@pytest.mark.slow
def test_ask_with_the_openai_answerer_through_a_real_server(seed_store_dir, llama_server):
    url, key = llama_server
    env = subprocess_env(OPENAI_BASE_URL=url, OPENAI_API_KEY=key)
    obj = ask_json(seed_store_dir, RUSSIA_Q, env=env)  # --llm auto: openai because the URL is set
    check_schema(obj)
    assert obj["backend"] in ("openai", "extractive")  # extractive = verified fallback
    assert obj["model"]
    if obj["backend"] == "openai":
        assert obj["model"].endswith(".gguf")
    refusal = ask_json(seed_store_dir, FRANCE_Q, "--llm", "openai", env=env)
    assert refusal["refused"] and refusal["backend"] == "openai"


@pytest.mark.slow
def test_unreachable_endpoint_is_one_line_and_a_non_zero_exit(seed_store_dir):
    url = f"http://127.0.0.1:{find_free_port()}/v1"
    env = subprocess_env(OPENAI_BASE_URL=url, NEWSBOT_LLM_TIMEOUT="5")
    done = run_newsbot("ask", RUSSIA_Q, "--store", str(seed_store_dir), "--llm", "openai", env=env)
    assert done.returncode != 0 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and url in lines[0] and "OPENAI_BASE_URL" in lines[0]
