def test_help_lists_the_program(nasdata):
    out = nasdata("--help").stdout
    assert "NAS-Bench-201" in out
