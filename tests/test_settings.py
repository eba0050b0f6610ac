"""Settings: defaults < NEWSBOT_* env < flags; every field described; bad values are one-line errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.core.errors import ConfigError
from bot.core.settings import Settings, describe, load_settings


def test_defaults_without_env():
    s = load_settings({})
    assert s.llm == "auto"
    assert s.store == Path(".newsbot")
    assert s.feedback_path == Path(".newsbot") / "feedback.jsonl"


def test_env_overrides_default_and_flag_overrides_env():
    env = {"NEWSBOT_LLM": "local", "NEWSBOT_TOP_K": "9", "NEWSBOT_STORE": "/tmp/x"}
    s = load_settings(env)
    assert (s.llm, s.top_k, s.store) == ("local", 9, Path("/tmp/x"))
    s = load_settings(env, llm="extractive", top_k=None)
    assert (s.llm, s.top_k) == ("extractive", 9)


def test_non_prefixed_vendor_variables_are_read():
    s = load_settings({"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "SLACK_BOT_TOKEN": "xoxb-1"})
    assert s.openai_base_url == "http://127.0.0.1:9/v1"
    assert s.slack_bot_token == "xoxb-1"


@pytest.mark.parametrize("raw,expected", [("1", True), ("true", True), ("off", False), ("", False)])
def test_booleans(raw, expected):
    assert load_settings({"NEWSBOT_SHOW_UNSUPPORTED": raw}).show_unsupported is expected


def test_bad_value_names_the_variable():
    with pytest.raises(ConfigError, match="NEWSBOT_TOP_K"):
        load_settings({"NEWSBOT_TOP_K": "many"})


def test_feedback_follows_store_unless_set():
    assert load_settings({}, store="/tmp/s").feedback_path == Path("/tmp/s/feedback.jsonl")
    assert load_settings({"NEWSBOT_FEEDBACK": "/tmp/f.jsonl"}, store="/tmp/s").feedback_path == Path("/tmp/f.jsonl")


def test_every_field_is_described_with_an_env_var():
    rows = describe()
    assert len(rows) == len(dataclasses.fields(Settings))
    for name, env, help_text, _default in rows:
        assert help_text.strip(), name
        assert env, name


def test_readme_settings_table_lists_every_setting(repo_root):
    """The README table is generated from describe(); it must not drift from the code."""
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    for name, env, _help, _default in describe():
        assert f"| `{name}` | {env or '—'} |" in readme, f"README settings table lacks {name} ({env})"
