"""config.toml validation: every error is one line naming the file, the line and the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newsarchiver.config import load_config
from newsarchiver.errors import ConfigError, ExitCode

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid() -> None:
    config = load_config(ROOT / "config.toml")
    assert config.archive_dir == (ROOT / "warcs").resolve()
    assert [job.name for job in config.jobs] == ["rferl", "bbc-world", "guardian-world"]
    assert config.site_rules("www.rferl.org") is not None


def test_relative_archive_dir_resolves_against_the_config_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, 'archive_dir = "data/warcs"\n'))
    assert config.archive_dir == tmp_path / "data" / "warcs"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[crawl]\ndelay_secnds = 1\n", "config.toml:2: crawl.delay_secnds: unknown key (did you mean 'delay_seconds'?)"),
        ("archve_dir = 'x'\n", "config.toml:1: archve_dir: unknown key (did you mean 'archive_dir'?)"),
        ("[crawl]\nretries = 'three'\n", "config.toml:2: crawl.retries: expected an integer, got 'three'"),
        ("[warc]\ngzip_level = 11\n", "config.toml:2: warc.gzip_level: expected an integer from 1 to 9, got 11"),
        ('[[jobs]]\nname = "a"\nseeds = ["https://a.example/"]\nschedule = "soon"\n',
         "config.toml:4: jobs[0].schedule: expected \"every 30m\", \"hourly\", \"daily\" or a cron line, got 'soon'"),
        ('[[jobs]]\nname = "a"\nseeds = ["ftp://a.example/"]\n',
         "config.toml:3: jobs[0].seeds: expected an http:// or https:// URL, got 'ftp://a.example/'"),
        # Values the crawl would drop or crash on are refused here, not discovered by `run`.
        ('[[jobs]]\nname = "a"\nseeds = ["http://exa mple.com/"]\n',
         "config.toml:3: jobs[0].seeds: expected an http:// or https:// URL, got 'http://exa mple.com/'"),
        ('[[jobs]]\nname = "a"\nseeds = ["https://a.example/"]\nallowed_hosts = ["exa mple.com/x"]\n',
         "config.toml:4: jobs[0].allowed_hosts: allowed host 'exa mple.com/x' is not a host name"),
        ("[crawl]\nmax_body_mb = inf\n", "config.toml:2: crawl.max_body_mb: expected a finite number, got inf"),
        ("[crawl]\ntimeout_seconds = 1e300\n",
         "config.toml:2: crawl.timeout_seconds: expected a number of seconds > 0, at most a day, got 1e+300"),
        ('[crawl]\nuser_agent = "bot \u263a"\n',
         "config.toml:2: crawl.user_agent: expected a non-empty User-Agent on one line, in Latin-1, got 'bot \u263a'"),
        ("[warc]\nmax_warc_mb = nan\n", "config.toml:2: warc.max_warc_mb: expected a finite number, got nan"),
        ('[crawl]\nuser_agent = "bot\\r\\nX-Injected: 1"\n',
         "config.toml:2: crawl.user_agent: expected a non-empty User-Agent on one line, in Latin-1, got 'bot\\r\\nX-Injected: 1'"),
        ('[[jobs]]\nname = "a"\nseeds = ["https://a.example/"]\n[[jobs]]\nname = "a"\nseeds = ["https://b.example/"]\n',
         "config.toml:5: jobs[1].name: duplicate job name 'a'"),
        ('[[jobs]]\nname = "a"\nseds = ["https://a.example/"]\n',
         "config.toml:3: jobs[0].seds: unknown key (did you mean 'seeds'?)"),
        ('[[sites]]\nhost = "a.example"\ndrop_selectors = ["div[["]\n', "config.toml:3: sites[0].drop_selectors: invalid CSS selector"),
        ('[[sites]]\nhost = "a.example"\ndrop_line_patterns = ["(unclosed"]\n', "config.toml:3: sites[0].drop_line_patterns: invalid regular expression"),
        ("[crawl\n", "config.toml: invalid TOML: "),
    ],
)
def test_errors_name_file_line_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.replace(str(path), "config.toml").startswith(expected)


def test_check_config_cli_prints_one_line_and_exit_code(tmp_path: Path) -> None:
    path = write(tmp_path, "[crawl]\ndelay_secnds = 1\n")
    proc = subprocess.run([sys.executable, "-m", "newsarchiver", "check-config", "-c", str(path)],
                          capture_output=True, text=True)
    assert proc.returncode == ExitCode.CONFIG
    assert proc.stderr.strip().splitlines() == [
        f"newsarchiver: error: {path}:2: crawl.delay_secnds: unknown key (did you mean 'delay_seconds'?)"
    ]


def test_check_config_cli_prints_resolved_config() -> None:
    proc = subprocess.run([sys.executable, "-m", "newsarchiver", "check-config", "-c", str(ROOT / "config.toml")],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert '"delay_seconds": 1.0' in proc.stdout
    assert proc.stdout.rstrip().endswith(": OK")


def test_missing_config_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_readme_documents_every_config_key() -> None:
    import dataclasses

    from newsarchiver.config import CrawlSettings, ExtractSettings, Job, SiteRules, WarcSettings, WorkerSettings

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [f"{cls.__name__}.{f.name}" for cls in (CrawlSettings, WarcSettings, ExtractSettings, WorkerSettings, SiteRules, Job)
               for f in dataclasses.fields(cls) if f"`{f.name}`" not in readme]
    assert missing == []
