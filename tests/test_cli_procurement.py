"""``workbench procurement ...``: a request from creation to delivery into the pool, on a real
on-disk store; wrong moves are one plain line and change nothing."""

from __future__ import annotations

import json


def _one_line_error(result, code: int, message: str) -> None:
    got, out, err = result
    assert (got, out) == (code, ""), result
    assert err.startswith("error: ") and message in err, err
    assert err.count("\n") == 1, err


def _request(run) -> str:
    assert run("project", "create", "Move", "--type", "vmware_migration", "--start", "2030-01-07")[0] == 0  # fmt: skip
    assert run("workflow", "add", "Move", "Hardware procurement", "--type", "hardware_procurement", "--days", "20")[0] == 0  # fmt: skip
    assert run("workflow", "add", "Move", "Racking", "--type", "commissioning", "--days", "5", "--after", "Hardware procurement")[0] == 0  # fmt: skip
    code, out, err = run(
        "procurement", "create", "Move", "Nodes", "--item", "R760:3:21,000.50", "--item", "Rack kit:1",
        "--vendor", "Dell", "--workflow", "Hardware procurement", "--location", "Cage 4", "--by", "ana",
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    first = out.splitlines()[0]
    assert first.startswith("Requested 'Nodes' (procurement_request:") and first.endswith(").")
    return first.split("(")[1].rstrip(").")


def test_requested_approved_ordered_partly_delivered_delivered(run):
    request = _request(run)
    code, out, _ = run("procurement", "show", request)
    assert "    Status: Requested" in out and "Total cost: –" in out
    assert "   1  R760         R760        3   0  $21,000.50  $63,001.50" in out
    assert "requested by ana" in out

    _one_line_error(
        run("procurement", "order", request, "--po", "PO-9"),
        2,
        "A request that is requested cannot become ordered (allowed next: approved, cancelled).",
    )
    code, out, _ = run("procurement", "approve", request, "--on", "2029-12-20", "--by", "boss", "--note", "budget ok")  # fmt: skip
    assert out.splitlines()[0] == "Approved 'Nodes' on 2029-12-20."
    _one_line_error(run("procurement", "order", request, "--po", "PO-9"), 2, "Give the expected delivery date with the order.")  # fmt: skip
    code, out, _ = run("procurement", "order", request, "--po", "PO-9", "--on", "2030-01-02", "--expected-delivery", "2030-02-01")  # fmt: skip
    assert out.splitlines()[0] == "Ordered 'Nodes': PO PO-9, delivery expected 2030-02-01."
    # The expected delivery holds back the workflow after the procurement workflow.
    racking = json.loads(run("workflow", "show", "Racking", "--project", "Move", "--json")[1])
    assert (racking["constraint_type"], racking["constraint_date"]) == ("start_no_earlier_than", "2030-02-01")  # fmt: skip

    code, out, err = run("procurement", "deliver", request, "--line", "1=2", "--serial", "1=S1,S2", "--on", "2030-01-30")  # fmt: skip
    assert (code, err) == (0, ""), err
    lines = out.splitlines()
    assert lines[0] == "Received 2 servers for 'Nodes' (2 of 4 in); 2 still to come; the request stays ordered."  # fmt: skip
    assert lines[3].split() == ["PO-9-001", "S1", "R760", "Cage", "4", "2033-01-30"]
    pool = {s["server_name"]: s for s in json.loads(run("pool", "list", "--json")[1])}
    assert set(pool) == {"PO-9-001", "PO-9-002"}
    assert (pool["PO-9-002"]["serial_number"], pool["PO-9-002"]["purchase_price"]) == (
        "S2",
        21000.5,
    )
    assert pool["PO-9-001"]["status"] == "available" and pool["PO-9-001"]["location"] == "Cage 4"

    _one_line_error(
        run("procurement", "deliver", request, "--line", "1=1", "--serial", "1=S3,S4"),
        2,
        "Line 1: 1 server(s) delivered but 2 serial number(s) given.",
    )
    _one_line_error(run("procurement", "deliver", request, "--line", "1=x"), 2, "--line '1=x': the quantity must be a whole number.")  # fmt: skip
    _one_line_error(run("procurement", "deliver", request, "--line", "3=1"), 2, "The request has lines 1 to 2; got line 3.")  # fmt: skip
    _one_line_error(run("procurement", "deliver", request, "--serial", "1=S1", "--line", "1=1"), 4, "already in the pool")  # fmt: skip

    code, out, _ = run("procurement", "list")
    row = out.splitlines()[1].split()
    assert row[1:3] == ["Move", "Nodes"] and row[3:7] == ["Ordered", "2", "of", "4"]
    assert row[7:10] == ["–", "PO-9", "2030-02-01"]

    code, out, _ = run("procurement", "deliver", request, "--on", "2030-02-03")
    assert out.splitlines()[0] == "Received 2 servers for 'Nodes' (4 of 4 in); every line is in: the request is delivered."  # fmt: skip
    code, out, _ = run("procurement", "show", request, "--json")
    shown = json.loads(out)
    assert (shown["status"], shown["actual_delivery"], shown["servers"], shown["delivered"]) == ("delivered", "2030-02-03", 4, 4)  # fmt: skip
    assert [line["delivered"] for line in shown["lines"]] == [3, 1]
    assert [h["status"] for h in shown["history"]] == ["requested", "approved", "ordered", "partly delivered", "delivered"]  # fmt: skip
    assert shown["total_cost"] is None  # the rack kit has no price

    _one_line_error(run("procurement", "cancel", request, "--reason", "late"), 2, "A request that is delivered cannot become cancelled")  # fmt: skip
    _one_line_error(run("procurement", "deliver", request), 2, "Only an ordered request can be delivered; this one is delivered.")  # fmt: skip
    assert len(json.loads(run("pool", "list", "--json")[1])) == 4


def test_overdue_requests_are_said_plainly_and_cancel(run):
    request = _request(run)
    code, out, _ = run("procurement", "list")
    assert out.splitlines()[-1] == "None overdue."
    assert run("procurement", "approve", request, "--on", "2020-01-01")[0] == 0
    # Ordered long ago for a delivery long past: overdue whatever today is.
    assert run("procurement", "order", request, "--po", "PO-1", "--on", "2020-01-02", "--expected-delivery", "2020-02-01")[0] == 0  # fmt: skip
    code, out, _ = run("procurement", "list", "--status", "ordered")
    lines = out.splitlines()
    assert "OVERDUE by" in lines[1]
    assert lines[3] == "1 request overdue:"
    assert lines[4].startswith("  'Nodes' for Move: expected 2020-02-01, ")
    assert lines[4].endswith(" days ago; 4 of 4 servers still to come.")
    listed = json.loads(run("procurement", "list", "--json")[1])
    assert (listed[0]["overdue"], listed[0]["expected_delivery"], listed[0]["purchase_order_number"]) == (True, "2020-02-01", "PO-1")  # fmt: skip
    assert (
        run("procurement", "list", "--status", "delivered")[1] == "No procurement requests match.\n"
    )

    code, out, _ = run("procurement", "cancel", request, "--reason", "Budget moved", "--json")
    assert json.loads(out)["status"] == "cancelled" and json.loads(out)["cancel_reason"] == "Budget moved"  # fmt: skip
    code, out, _ = run("procurement", "list")
    assert out.splitlines()[-1] == "None overdue."
    _one_line_error(run("procurement", "approve", request), 2, "A request that is cancelled cannot become approved")  # fmt: skip


def test_mistakes_on_create_are_one_plain_line(run):
    assert run("procurement", "list") == (
        0,
        "No procurement requests. Create one with: workbench procurement create PROJECT NAME "
        "--item MODEL:QUANTITY\n",
        "",
    )
    assert run("project", "create", "Move", "--type", "vmware_migration")[0] == 0
    cases = [
        (("procurement", "create", "Move", "X"), 2, "Say what to buy: --item MODEL:QUANTITY"),
        (("procurement", "create", "Move", "X", "--item", "R760"), 2, "--item 'R760': give MODEL:QUANTITY or MODEL:QUANTITY:UNIT_PRICE."),
        (("procurement", "create", "Move", "X", "--item", "R760:0"), 2, "--item 'R760:0': quantity must be a whole number from 1"),
        (("procurement", "create", "Move", "X", "--item", "R760:2:cheap"), 2, "--item 'R760:2:cheap': unit price must be an amount from 0"),
        (("procurement", "create", "Move", "X", "--item", "R760:2", "--currency", "GBP"), 2, "Currency must be USD or EUR"),
        (("procurement", "create", "Nowhere", "X", "--item", "R760:2"), 3, "No project named 'Nowhere'."),
        (("procurement", "create", "Move", "X", "--item", "R760:2", "--workflow", "Build"), 3, "No workflow 'Build' in project 'Move'."),
        (("procurement", "create", "Move", "--from-sizing", "nothere"), 3, "No RVTools import 'nothere'."),
        (("procurement", "create", "Move", "--from-sizing", "nothere", "--item", "R760:2"), 2, "either --item lines or --from-sizing"),
        (("procurement", "show", "nothere"), 3, "No procurement request with id 'nothere'."),
        (("procurement", "list", "--status", "lost"), 2, "Unknown status lost"),
    ]  # fmt: skip
    for args, expected, message in cases:
        _one_line_error(run(*args), expected, message)
    assert run("procurement", "list", "--json")[1] == "[]\n"
    # A model may hold colons: only the trailing quantity and price are split off.
    code, out, _ = run("procurement", "create", "Move", "Odd", "--item", "Rack:42U:2:100", "--json")
    assert [(line["model"], line["quantity"], line["unit_price"]) for line in json.loads(out)["lines"]] == [("Rack:42U", 2, 100.0)]  # fmt: skip


def test_a_request_never_ordered_can_be_deleted_and_then_its_project(run):
    request = _request(run)
    _one_line_error(
        run("project", "delete", "Move"), 4, "delete those never ordered; ordered or delivered ones"
    )
    run("procurement", "approve", request)
    run("procurement", "order", request, "--po", "PO-7", "--expected-delivery", "2030-02-01")
    _one_line_error(run("procurement", "delete", request), 2, "an ordered request can be cancelled")
    run("procurement", "cancel", request, "--reason", "Budget moved")
    code, out, err = run("procurement", "delete", request)
    assert (code, err) == (0, ""), err
    assert out == "Deleted 'Nodes' (cancelled) of Move.\n"
    assert run("procurement", "show", request)[0] == 3
    assert run("project", "delete", "Move")[0] == 0
