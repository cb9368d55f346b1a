
import pytest

from serpaudit.settings import Settings, SettingsError, load_settings, settings_toml


def test_defaults_without_file_or_environment(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings(env={}) == Settings()


def test_file_then_environment_override(tmp_path):
    cfg = tmp_path / "serpaudit.toml"
    cfg.write_text('[serpaudit]\nengines = ["google"]\ndatabase = "db/x.db"\ntimeout_ms = 5000\n')
    s = load_settings(cfg, env={"SERPAUDIT_TIMEOUT_MS": "7000", "SERPAUDIT_DEVICES": "desktop,mobile"})
    assert s.engines == ("google",)
    assert s.database == tmp_path / "db/x.db"  # relative to the settings file
    assert s.timeout_ms == 7000
    assert s.devices == ("desktop", "mobile")


def test_generated_file_loads_back_to_the_defaults(tmp_path):
    cfg = tmp_path / "serpaudit.toml"
    cfg.write_text(settings_toml())
    assert "# Search engines to query" in cfg.read_text()
    s = load_settings(cfg, env={})
    assert s.engines == Settings().engines and s.query_templates == Settings().query_templates
    assert "worker_min_delay_s" not in cfg.read_text()  # deprecated: read from old files, not written anew


@pytest.mark.parametrize(
    "body, message",
    [
        ('engines = ["altavista"]', "engines: unknown altavista"),
        ('timeout_ms = "soon"', "timeout_ms"),
        ('colour = "red"', "unknown setting 'colour'"),
        ('query_templates = ["klantenservice"]', "lacks {brand}"),
        ("engines = [", "serpaudit.toml"),
        ('region = "nl"', "region: 'nl'"),
        ('region = "XX"', "region: 'XX'"),
        ("engines = []", "engines: must not be empty"),
        ("query_templates = []", "query_templates: must not be empty"),
    ],
)
def test_bad_settings_name_the_file_and_field(tmp_path, body, message):
    cfg = tmp_path / "serpaudit.toml"
    cfg.write_text(body + "\n")
    with pytest.raises(SettingsError) as err:
        load_settings(cfg, env={})
    assert message in str(err.value)
    assert str(cfg) in str(err.value) or "serpaudit.toml" in str(err.value)


def test_bad_environment_variable_is_named(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SettingsError, match="SERPAUDIT_HEADLESS: headless"):
        load_settings(env={"SERPAUDIT_HEADLESS": "maybe"})
