"""The recorded-answer OpenAI-compatible server, as the real `openai` client sees it."""

import json
import urllib.error
import urllib.request

import pytest

from evals.metrics import CaseResult, replay_scores
from evals.replay_server import NO_RECORDING, ReplayServer, question_of


@pytest.fixture()
def server():
    s = ReplayServer({"Which team won the cup?": "The Harbor Hawks [1].", "Who spoke?": "Ada Lind"}).start()
    yield s
    s.stop()


def _prompt(question):
    return [{"role": "system", "content": "rules"},
            {"role": "user", "content": f"Passages:\n\n<passage id=1>x</passage>\n\nQuestion: {question}\n\nAnswer."}]


def test_models_and_plain_completion_through_the_openai_client(server):
    import openai

    client = openai.OpenAI(base_url=server.url, api_key="unused")
    assert [m.id for m in client.models.list()] == ["replay"]
    out = client.chat.completions.create(model="replay", messages=_prompt("Which team won  the cup?"))
    assert out.choices[0].message.content == "The Harbor Hawks [1]."


def test_streaming_joins_to_the_recorded_answer(server):
    import openai

    client = openai.OpenAI(base_url=server.url, api_key="unused")
    stream = client.chat.completions.create(model="replay", messages=_prompt("Who spoke?"), stream=True)
    pieces = [c.choices[0].delta.content or "" for c in stream if c.choices]
    assert "".join(pieces) == "Ada Lind"
    assert server.requests[-1]["stream"] is True


def test_unknown_question_and_bad_requests(server):
    assert server.answer_for(_prompt("Something never recorded?")) == NO_RECORDING
    req = urllib.request.Request(server.url + "/chat/completions", b"{not json", {"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req)
    assert err.value.code == 400
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server.url + "/nope")
    assert err.value.code == 404


def test_binds_loopback_only(server):
    assert server.url.startswith("http://127.0.0.1:")


def test_question_of_takes_the_last_user_question():
    msgs = _prompt("First?") + [{"role": "assistant", "content": "a"}] + _prompt("Second?")[1:]
    assert question_of(msgs) == "Second?"
    assert question_of([{"role": "user", "content": "no question line"}]) is None


def _r(answer, model, refused=False, fell_back=False, gold="Hawks"):
    return CaseResult("c", (), True, ((gold,),), ("a",), answer, refused, (), fell_back=fell_back, model_answer=model)


def test_replay_scores_kept_correct_and_stopped_wrong():
    rows = [_r("Hawks — The Hawks won [1].", "Hawks"),  # right, kept
            _r("", "The Hawks", refused=True),  # right, lost
            _r("The Owls won [1].", "The Owls"),  # wrong, shown: not stopped
            _r("", "Owls", refused=True),  # wrong, stopped
            _r("The Hawks won [1].", "Owls", fell_back=True)]  # wrong, replaced by evidence
    s = replay_scores(rows)
    assert s["replayed"] == 5
    assert s["kept_correct"] == 0.5
    assert s["stopped_wrong"] == pytest.approx(2 / 3)
    assert s["final_accuracy"] == pytest.approx(2 / 5)
    assert s["model_accuracy"] == pytest.approx(2 / 5)
    assert json.dumps(s)
