"""The meeting spec: strict, with errors that name the field."""

from __future__ import annotations

import pytest
import yaml
from conftest import SAMPLE

from pipeline.spec import SpecError, load_spec, parse_spec, slugify


def sample_data() -> dict:
    return yaml.safe_load((SAMPLE / "meeting.yaml").read_text())


def error_of(data) -> str:
    with pytest.raises(SpecError) as info:
        parse_spec(data, "spec.yaml")
    return str(info.value)


def test_sample_spec_loads():
    spec = load_spec(SAMPLE / "meeting.yaml")
    assert spec.slug == "cp-csh-1942-19"
    assert spec.roster_labels()[:2] == ["Chair", "Argentina"]
    assert "Martin Gershanik" in spec.roster_labels()


def test_missing_required_field_is_named():
    data = sample_data()
    del data["meeting"]["id"]
    assert error_of(data) == "spec.yaml: meeting.id: required field is missing"


def test_wrong_type_is_named():
    data = sample_data()
    data["participants"]["delegations"] = "Canada"
    assert error_of(data).startswith("spec.yaml: participants.delegations: ")


def test_unknown_nested_key_suggests_the_nearest():
    data = sample_data()
    data["order_of_business"]["items"][2]["blocks"][0]["presenter"] = ["X"]
    assert error_of(data) == ("spec.yaml: order_of_business.items[2].blocks[0].presenter: "
                              "unknown key (did you mean 'presenters'?)")


def test_unsupported_language():
    data = sample_data()
    data["meeting"]["language"] = "de"
    assert error_of(data).startswith("spec.yaml: meeting.language: ")


def test_duplicate_delegation():
    data = sample_data()
    data["participants"]["delegations"].append("canada")
    assert "listed twice" in error_of(data)


def test_yaml_syntax_error_has_a_position(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("meeting: {id: x\nrecording: y\n")
    with pytest.raises(SpecError, match=r"YAML syntax error at line \d+, column \d+"):
        load_spec(path)


@pytest.mark.parametrize("raw, slug", [("CP/CSH-1942/19", "cp-csh-1942-19"), ("../../etc/passwd", "etc-passwd"),
                                       ("Sesión ñ 3", "sesion-n-3")])
def test_meeting_id_cannot_escape_the_runs_folder(raw, slug):
    assert slugify(raw) == slug


def test_meeting_id_without_letters_is_refused():
    with pytest.raises(SpecError):
        slugify("../..")
