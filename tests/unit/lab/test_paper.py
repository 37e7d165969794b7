"""The paper's numbers: each carries its table and row, and the sentences follow the data."""

from vggviz.lab.paper import (
    RESULTS,
    beside_torchvision,
    findings,
    ilsvrc_sentence,
    lab_sentence,
    lookup,
    table_rows,
    with_value,
)


def test_known_anchors():
    t3 = {(r.config, r.train): (r.top1, r.top5) for r in RESULTS if r.table == "Table 3"}
    assert t3[("A", "256")] == (29.6, 10.4) and t3[("A-LRN", "256")] == (29.7, 10.5)
    assert t3[("B", "256")] == (28.7, 9.9) and t3[("C", "256")] == (28.1, 9.4)
    assert t3[("D", "256")] == (27.0, 8.8) and t3[("E", "256")] == (27.3, 9.0)
    assert t3[("D", "[256;512]")] == (25.6, 8.1) and t3[("E", "[256;512]")] == (25.5, 8.0)
    sub = next(r for r in RESULTS if r.table == "Table 7" and r.nets == 7 and r.config == "7 nets")
    assert (sub.top5, sub.split) == (7.3, "test")
    assert next(r for r in RESULTS if r.config == "localisation").top5 == 25.3


def test_every_number_carries_its_table_and_row():
    assert {r.table for r in RESULTS} == {"Table 3", "Table 4", "Table 5", "Table 7", "Appendix A"}
    assert all(r.row and (r.top1 is not None or r.top5 is not None) for r in RESULTS)
    assert len({(r.table, r.row) for r in RESULTS}) == len(RESULTS)
    # errors fall, never rise, from single scale (Table 3) to multi-scale (Table 4) for the same S
    for r in RESULTS:
        if r.table == "Table 4":
            single = lookup(r.config, "Table 3", r.train)
            assert single is None or r.top1 <= single.top1
    rows = table_rows()
    assert all(v not in (None, "") for row in rows for v in row.values())


def test_findings_from_the_data():
    f = {x.title.split(" (")[0]: x for x in findings()}
    assert f["Local response normalisation"].sentence.startswith("LRN does not help")
    assert "29.7 % against 29.6 %" in f["Local response normalisation"].sentence
    assert f["Depth"].sentence.startswith("Depth helps") and "A 29.6 % → B 28.7 % → D 27.0 % → E 27.3 %" in f["Depth"].sentence
    assert "saturates" in f["Depth"].sentence
    one = f["1×1 against 3×3"].sentence
    assert "lower error than B (28.1 % against 28.7 %)" in one and "lower error again (27.0 %)" in one
    assert all(x.sources and all(s.startswith(("Table", "Appendix")) for s in x.sources) for x in findings())


def test_a_changed_number_changes_the_sentence():
    lrn_helps = with_value("A-LRN", "Table 3", "256", 28.0)
    s = next(x for x in findings(lrn_helps) if x.title.startswith("Local")).sentence
    assert s.startswith("LRN helps") and "28.0 % against 29.6 %" in s
    deeper = with_value("E", "Table 3", "256", 26.5)
    d = next(x for x in findings(deeper) if x.title.startswith("Depth")).sentence
    assert "saturates" not in d and "Best: E (26.5 %)" in d
    c_worse = with_value("C", "Table 3", "256", 29.0)
    c = next(x for x in findings(c_worse) if x.title.startswith("1×1")).sentence
    assert "higher error than B" in c and "does not help" in c


def test_ilsvrc_and_lab():
    s = ilsvrc_sentence()
    assert "7.3 % top-5 test error" in s and "92.7 % top-5 accuracy" in s
    assert "2nd in classification" in s and "1st in localisation with 25.3 % error" in s
    assert lab_sentence(None) == "" and lab_sentence("nope") == ""
    made_up = {"seeds": [0, 1, 2], "comparisons": [
        {"better": "A", "worse": "A-LRN", "mean_diff": 0.04, "verdict": "not resolved"},
        {"better": "D", "worse": "C (1×1)", "mean_diff": 1.26, "verdict": "reproduced"}]}
    said = lab_sentence("c_lrn", made_up)
    assert "3 paired seeds" in said and "A − A-LRN: +0.0 points, not resolved" in said
    assert "D − C (1×1): +1.3 points, reproduced" in said


def test_the_papers_training_scale():
    from vggviz.lab.paper import SHALLOW_5X5_GAP, TRAINING_EPOCHS, training_scale

    assert TRAINING_EPOCHS == 74 and SHALLOW_5X5_GAP == 7.0
    assert training_scale() == "ImageNet (ILSVRC-2012: 1.3 M images, 1,000 classes), 74 epochs"


def test_beside_torchvision_has_no_missing_cells():
    rows = beside_torchvision({"vgg16": (71.592, 90.382), "vgg11": (69.02, 88.628)})
    d = next(r for r in rows if r["config"] == "D")
    assert d["paper top-1 / top-5 err. % (Table 3, S = 256)"] == "27.0 / 8.8"
    assert d["torchvision top-1 / top-5 err. % (one 224 crop)"] == "28.4 / 9.6"
    assert d["paper best multi-scale (Table 4)"] == "24.8 / 7.5 (S = [256;512])"
    c = next(r for r in rows if r["config"] == "C")
    assert c["torchvision top-1 / top-5 err. % (one 224 crop)"] == "— (no weights)"
    assert all(v not in (None, "") for r in rows for v in r.values())
