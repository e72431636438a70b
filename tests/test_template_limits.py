"""A vault template cannot run long or build gigantic values: each attempt is one clean
template error, stopped before the memory is allocated."""

from __future__ import annotations

import resource
import subprocess
import sys
import textwrap
import time

import pytest

from mdfollow.templating import MAX_SECONDS, Source, TemplateProblem, render

HOSTILE = [
    "{{ lipsum(n=100000000) }}",
    "{{ lipsum(5, False, 1, 100000000) }}",
    '{{ "%3000000000d" % 1 }}',
    '{{ "%3000000000d"|format(1) }}',
    '{{ "%.3000000000f" % 1.0 }}',
    '{{ "%*d" % (3000000000, 1) }}',
    '{{ "{:3000000000}".format(1) }}',
    '{{ "x".center(3000000000) }}',
    '{{ "x"|center(3000000000) }}',
    '{{ "x".ljust(3000000000) }}',
    '{{ "x".zfill(3000000000) }}',
    '{{ ("x" * 90000).replace("x", "y" * 90000) }}',
    '{{ ("x" * 90000)|replace("x", "y" * 90000) }}',
    '{{ ("x" * 90000).replace("", "y" * 9000) }}',
    '{{ ("\\t" * 90000).expandtabs(90000) }}',
    '{{ ("x" * 90000)|indent(90000, true) }}',
    '{{ ["x" * 90000] * 90000|join }}',
    '{{ (["x" * 90000] * 90000)|join }}',
    '{{ ("," * 90000).join(["y" * 90000] * 100) }}',
    '{{ (["x" * 90000] * 90000)|sum(start="") }}',
    "{{ ((10 ** 64) ** 64) ** 64 }}",
    '{% set s = "x" * 90000 %}{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}',
]


def memory_capped(code: str) -> subprocess.CompletedProcess[str]:
    """Run in a child with 1 GiB of address space: allocating first would fail loudly there."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, preexec_fn=cap)


@pytest.mark.parametrize("template", HOSTILE)
def test_each_escape_is_a_clean_template_error(template):
    code = textwrap.dedent(
        f"""
        import time
        from mdfollow.template_files import time_limited
        from mdfollow.templating import Source, TemplateProblem, render
        started = time.monotonic()
        try:
            with time_limited():
                render(Source("t.md", {template!r}, "Templates/mdfollow/t.md"), {{}})
        except TemplateProblem as exc:
            print("problem:", exc)
        print("seconds:", round(time.monotonic() - started, 1))
        """
    )
    result = memory_capped(code)
    assert result.returncode == 0, result.stderr[-800:]
    assert "problem: Templates/mdfollow/t.md" in result.stdout, result.stdout
    assert "MemoryError" not in result.stdout
    seconds = float(result.stdout.split("seconds:")[1])
    assert seconds <= MAX_SECONDS + 2


def test_ordinary_uses_still_work():
    text = render(
        Source(
            "t.md",
            '{{ "Hi"|center(10) }}|{{ "a-b".replace("-", "+") }}|{{ "%05.1f" % 3.14159 }}|{{ "{:>6}".format("x") }}'
            '|{{ ["a", "b"]|join(", ") }}|{{ "x"|indent(2, true) }}|{{ lipsum(1, false, 5, 10)|length > 0 }}'
            "|{{ 2 ** 10 }}|{{ [1, 2]|sum }}",
            "t",
        ),
        {},
    )
    assert text == "    Hi    |a+b|003.1|     x|a, b|  x|True|1024|3"


def test_a_template_that_loops_without_output_is_stopped_in_time():
    from mdfollow.template_files import time_limited

    started = time.monotonic()
    with pytest.raises(TemplateProblem, match="longer than"), time_limited(0.5):
        render(Source("t.md", '{% for a in "x" * 90000 %}{% for b in "x" * 90000 %}{% endfor %}{% endfor %}', "t"), {})
    assert time.monotonic() - started < 3
