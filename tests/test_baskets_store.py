"""ws.baskets: real vendor baskets stored whole; the same file again changes nothing; a
corrected file replaces only on request and keeps every lot's id (links from the pool)."""

from __future__ import annotations

import shutil

import pytest

from workbench.errors import ConflictError, ImportRejectedError, NotFoundError


def _counts(ws) -> dict[str, int]:
    tables = [
        "vendor",
        "hardware_basket",
        "hardware_lot",
        "hardware_lot_component",
        "hardware_lot_price",
        "hardware_option",
        "basket_import",
    ]
    return {
        t: ws.store.query(f"SELECT count() FROM {t} GROUP ALL")[0][0]["count"]
        if ws.store.query(f"SELECT count() FROM {t} GROUP ALL")[0]
        else 0
        for t in tables
    }


def test_both_real_baskets_are_stored_whole_and_read_back_alike(ws, real_baskets):
    from workbench.baskets import lots_frame
    from workbench.io.baskets import read_basket

    dell, lenovo = real_baskets
    stored = [ws.baskets.import_file(path, imported_by="test") for path in (dell, lenovo)]
    assert [s.lots for s in stored] == [18, 18] and all(s.imported for s in stored)
    assert {s.vendor for s in stored} == {read_basket(dell).vendor, read_basket(lenovo).vendor}
    listed = ws.baskets.list()
    assert sorted(b.id for b in listed) == sorted(s.id for s in stored)
    for summary, path in zip(stored, (dell, lenovo), strict=True):
        read = read_basket(path)
        back = ws.baskets.get(summary.id)
        # What the store gives back is what the file said: lots, prices, components, options.
        assert back.lots == read.lots
        assert back.options == read.options
        assert (back.exchange_rate, back.exchange_rate_convention) == (
            read.exchange_rate,
            read.exchange_rate_convention,
        )
        frame = ws.baskets.lots(basket=summary.id)
        expected = lots_frame(read, basket_id=summary.id)
        assert frame.drop(columns="lot_id").equals(expected)
        assert frame["lot_id"].str.startswith("hardware_lot:").all()
    assert set(ws.baskets.lots()["vendor"]) == {s.vendor for s in stored}
    assert len(ws.baskets.lots(vendor=stored[0].vendor.upper())["lot"].unique()) == 18
    with pytest.raises(NotFoundError, match="No basket from vendor"):
        ws.baskets.lots(vendor="Nobody")


def test_the_same_file_again_changes_nothing(ws, real_baskets, tmp_path):
    dell, _ = real_baskets
    first = ws.baskets.import_file(dell)
    before = _counts(ws)
    copy = tmp_path / "renamed copy.xlsx"
    shutil.copyfile(dell, copy)
    again = ws.baskets.import_file(copy)
    assert again.id == first.id and again.imported is False
    assert _counts(ws) == before


def test_a_changed_file_of_the_same_basket_replaces_only_on_request_and_keeps_lot_ids(
    ws, real_baskets, tmp_path
):
    import openpyxl

    dell, _ = real_baskets
    first = ws.baskets.import_file(dell)
    lots = ws.baskets.lots(basket=first.id).drop_duplicates("lot")
    lot_id = lots["lot_id"].iloc[0]
    ws.store.query(
        "CREATE server_inventory SET server_name = 'esx01', hardware_model_id = type::record($lot)",
        {"lot": lot_id},
    )
    # The same basket, a cell changed (a later release of the file).
    changed = tmp_path / "dell-corrected.xlsx"
    book = openpyxl.load_workbook(dell)
    book.worksheets[0]["Z40"] = "Corrected release"
    book.save(changed)
    with pytest.raises(ConflictError, match="already stored"):
        ws.baskets.import_file(changed)
    replaced = ws.baskets.import_file(changed, replace=True)
    assert replaced.id == first.id and replaced.lots == 18
    assert (
        ws.baskets.lots(basket=first.id).drop_duplicates("lot")["lot_id"].tolist()
        == lots["lot_id"].tolist()
    )
    linked = ws.store.query("SELECT VALUE hardware_model_id.lot_code FROM server_inventory")[0]
    assert linked == [lots["lot"].iloc[0]]
    # A lot the pool links to cannot go with its basket.
    with pytest.raises(ConflictError):
        ws.baskets.delete(first.id)
    assert len(ws.baskets.list()) == 1


def test_a_hostile_or_foreign_file_stores_nothing(ws, tmp_path):
    before = _counts(ws)
    bomb = tmp_path / "not-a-basket.xlsx"
    bomb.write_bytes(b"PK\x03\x04 this is no workbook")
    with pytest.raises(ImportRejectedError):
        ws.baskets.import_file(bomb)
    with pytest.raises(ImportRejectedError, match="no file"):
        ws.baskets.import_file(tmp_path / "missing.xlsx")
    assert _counts(ws) == before


def test_delete_and_names(ws, real_baskets):
    dell, lenovo = real_baskets
    a = ws.baskets.import_file(dell)
    ws.baskets.import_file(lenovo)
    with pytest.raises(NotFoundError, match="No basket"):
        ws.baskets.get("no such basket")
    ws.baskets.delete(a.id)
    assert [b.vendor for b in ws.baskets.list()] != [a.vendor]
    assert len(ws.baskets.list()) == 1
    assert ws.baskets.history()["status"].tolist() == ["completed", "completed"]
