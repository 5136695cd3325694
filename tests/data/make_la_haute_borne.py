"""Make the La Haute Borne subset in ``tests/data/la_haute_borne/`` from the ``openoa`` wheel.

Not run by the test suite: the subset it writes is committed, and ``openoa`` is no dependency of the project.
``tests/data/LA_HAUTE_BORNE.md`` gives the provenance, the licence and the checksums. To rebuild::

    pip download openoa==3.2 --no-deps -d /tmp/openoa
    python tests/data/make_la_haute_borne.py /tmp/openoa/openoa-3.2-py3-none-any.whl

The wheel holds ``examples/data/la_haute_borne.zip``: ENGIE's open SCADA data of the La Haute Borne wind farm
(four Senvion MM82, 10-minute means, 2014-2015) with the ERA5 and MERRA-2 reanalysis series at the site. The
script reads it in memory (nothing is extracted to disk) and writes

``scada.parquet``
    one row per turbine and 10-minute record: ``time`` (UTC), ``turbine``, ``power_kw`` (``P_avg``),
    ``wind_speed_m_s`` (``Ws_avg``, nacelle anemometer), ``pitch_angle_deg`` (``Ba_avg``) and ``outdoor_temp_c``
    (``Ot_avg``, at the nacelle). The source values are float32 printed with 8 significant digits, so float32 keeps
    them exactly (the script checks it); the source units are kept (kW) and the reader converts to SI.
``era5.parquet``
    the hourly ERA5 rows from 2013-12-31 22:00 to 2016-01-01 03:00 UTC (float64, as in the source): 100 m wind
    components, 2 m temperature, surface pressure: the reference wind of the calibration.
``assets.csv``
    the source's asset table, verbatim.

Left out: the other SCADA columns (wind and nacelle direction, vane angle: not used by the calibration), the
MERRA-2 series (a second, coarser reanalysis at 50 m; ERA5 at 100 m is nearer the 80 m hubs; the script still reads
it to check the time correction below) and ``plant_data.csv`` (its meter series was made by OpenOA's authors by
adding artificial losses and noise to the SCADA power, its availability and curtailment columns are their estimates
from the same SCADA: none is a measurement).

Two corrections of the SCADA timestamps, both documented in LA_HAUTE_BORNE.md:

1. The source labels ``Date_time`` with the offset of French local time (+01:00 in winter, +02:00 in summer), but
   its clock does not follow daylight saving: every day has 144 records, the spring change yields twelve
   duplicated labels and the autumn change a missing hour. Its wall-clock part is UTC: the hourly correlation of
   the farm's mean nacelle speed with ERA5's 100 m speed peaks when the wall-clock time is read as UTC, within
   10-20 minutes in winter and in summer alike, while the labels as given are early against ERA5 (and MERRA-2) by
   about one hour in winter and two in summer. The script prints that check (:func:`lag_check`) on every run.
   So ``time`` = the wall-clock part of ``Date_time``, read as UTC.
2. At each spring change the source has two records with one label per turbine (the hours 02:00 and 03:00 of
   its clock both labelled 03:xx+02:00) in an order that does not tell them apart: both copies are dropped.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

WHEEL_NAME = "openoa-3.2-py3-none-any.whl"
WHEEL_SHA256 = "654c1a81c3c27d8caa84e861a7659090d0135f08350e2577e96e42025899f70f"
ZIP_MEMBER = "examples/data/la_haute_borne.zip"
ZIP_SHA256 = "be5ea66a3355286e491f5618250dc83e85252a8cb337748d7ba19edc50df6138"
SCADA_CSV = "la-haute-borne-data-2014-2015.csv"
ASSET_CSV = "la-haute-borne_asset_table.csv"
ERA5_CSV = "era5_wind_la_haute_borne.csv"
MERRA2_CSV = "merra2_la_haute_borne.csv"
REANALYSIS_SPAN = ("2013-12-31 22:00", "2016-01-01 03:00")  # UTC, inclusive: covers the SCADA span plus margin

SCADA_COLUMNS = {  # source -> subset
    "P_avg": "power_kw",
    "Ws_avg": "wind_speed_m_s",
    "Ba_avg": "pitch_angle_deg",
    "Ot_avg": "outdoor_temp_c",
}
ERA5_COLUMNS = {
    "u_100": "eastward_wind_100m_m_s",
    "v_100": "northward_wind_100m_m_s",
    "t_2m": "air_temp_2m_k",
    "surf_pres": "surface_pressure_pa",
}
MERRA2_COLUMNS = {"u_50": "eastward_wind_50m_m_s", "v_50": "northward_wind_50m_m_s"}  # only for lag_check


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def open_zip(wheel: Path) -> zipfile.ZipFile:
    """The data zip inside the wheel, checked against the checksums this subset was made from."""
    raw = wheel.read_bytes()
    if sha256(raw) != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: sha256 {sha256(raw)} is not that of {WHEEL_NAME} ({WHEEL_SHA256})")
    inner = zipfile.ZipFile(io.BytesIO(raw)).read(ZIP_MEMBER)
    if sha256(inner) != ZIP_SHA256:
        raise SystemExit(f"{ZIP_MEMBER}: sha256 {sha256(inner)} differs from {ZIP_SHA256}")
    return zipfile.ZipFile(io.BytesIO(inner))


def scada_subset(raw: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The SCADA rows with UTC times (wall-clock part of ``Date_time``), ambiguous duplicates dropped."""
    wall = raw["Date_time"].str.slice(0, 19)
    if not wall.str.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}").all():
        raise SystemExit(f"{SCADA_CSV}: Date_time not in the form YYYY-MM-DDTHH:MM:SS+HH:MM")
    out = pd.DataFrame({"time": pd.to_datetime(wall, format="%Y-%m-%dT%H:%M:%S").dt.tz_localize("UTC"),
                        "turbine": raw["Wind_turbine_name"].astype(str)})
    for src, dst in SCADA_COLUMNS.items():
        values = raw[src].to_numpy(dtype=float)
        as32 = values.astype(np.float32)
        ok = np.isnan(values) | (np.char.mod("%.8g", as32.astype(float)) == np.char.mod("%.8g", values))
        if not ok.all():
            raise SystemExit(f"{SCADA_CSV}: {src} is not float32-exact at 8 digits ({(~ok).sum()} values)")
        out[dst] = as32
    duplicated = out.duplicated(["turbine", "time"], keep=False)
    out = out.loc[~duplicated].sort_values(["turbine", "time"], kind="stable").reset_index(drop=True)
    out["turbine"] = out["turbine"].astype("category")
    return out, int(duplicated.sum())


def reanalysis_subset(raw: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    time = pd.to_datetime(raw["datetime"], utc=True)
    keep = (time >= pd.Timestamp(REANALYSIS_SPAN[0], tz="UTC")) & (time <= pd.Timestamp(REANALYSIS_SPAN[1], tz="UTC"))
    out = pd.DataFrame({"time": time[keep].reset_index(drop=True)})
    for src, dst in columns.items():
        out[dst] = raw.loc[keep, src].to_numpy(dtype=float)
    if out["time"].diff().iloc[1:].ne(pd.Timedelta(hours=1)).any():
        raise SystemExit("reanalysis: rows are not hourly without gaps over the kept span")
    return out


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """zstd level 19; times delta-encoded, the other columns dictionary-encoded (their values repeat)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table, path, compression="zstd", compression_level=19,
                   use_dictionary=[c for c in frame.columns if c != "time"],
                   column_encoding={"time": "DELTA_BINARY_PACKED"})


def lag_check(scada: pd.DataFrame, reference: pd.DataFrame, u: str, v: str) -> dict[str, int]:
    """Shift [min] of the SCADA times that best aligns the farm's hourly mean nacelle speed with a reference.

    For shifts of -120..+180 min in 10-minute steps, the Pearson correlation between the reference speed
    sqrt(u^2 + v^2) at its time stamps and the mean of the four turbines' nacelle speed over the six records
    centred on the stamp; the best shift per season (winter Nov-Feb, summer May-Aug). 0 means the SCADA times
    agree with the reference's.
    """
    speed = scada.pivot(index="time", columns="turbine", values="wind_speed_m_s").mean(axis=1).astype(float)
    speed = speed.reindex(pd.date_range(speed.index.min(), speed.index.max(), freq="10min"))
    ref = pd.Series(np.hypot(reference[u], reference[v]).to_numpy(), index=pd.DatetimeIndex(reference["time"]))
    ref = ref.resample("10min").asfreq()  # the reference's own stamps on the 10-minute grid (MERRA-2 at :30)
    best = {}
    for season, months in (("winter", (11, 12, 1, 2)), ("summer", (5, 6, 7, 8))):
        scores = {}
        for shift in range(-12, 19):
            moved = speed.copy()
            moved.index = moved.index + pd.Timedelta(minutes=10 * shift)
            centred = moved.rolling(6, min_periods=6).mean().shift(-3)  # records stamped t-30 .. t+20 min
            pair = pd.concat([centred.rename("s"), ref.rename("r")], axis=1, join="inner").dropna()
            pair = pair[pair.index.month.isin(months)]
            scores[10 * shift] = pair["s"].corr(pair["r"])
        best[season] = max(scores, key=scores.get)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help=f"path to {WHEEL_NAME}")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "la_haute_borne",
                        help="output folder (default: tests/data/la_haute_borne)")
    args = parser.parse_args(argv)
    data = open_zip(args.wheel)
    args.out.mkdir(parents=True, exist_ok=True)

    raw = pd.read_csv(data.open(SCADA_CSV))
    scada, dropped = scada_subset(raw)
    write_parquet(scada, args.out / "scada.parquet")
    era5 = reanalysis_subset(pd.read_csv(data.open(ERA5_CSV)), ERA5_COLUMNS)
    write_parquet(era5, args.out / "era5.parquet")
    merra2 = reanalysis_subset(pd.read_csv(data.open(MERRA2_CSV)), MERRA2_COLUMNS)
    (args.out / "assets.csv").write_bytes(data.read(ASSET_CSV))

    print(f"{SCADA_CSV}: {len(raw)} rows; {dropped} duplicated (turbine, time) rows dropped; kept {len(scada)}")
    for name, frame in (("scada", scada), ("era5", era5)):
        print(f"{name}: {len(frame)} rows, {frame['time'].min()} .. {frame['time'].max()}")
    for name, frame, u, v in (("ERA5", era5, *list(ERA5_COLUMNS.values())[:2]),
                              ("MERRA-2", merra2, *MERRA2_COLUMNS.values())):
        print(f"time check against {name}: best shift of the SCADA times [min] {lag_check(scada, frame, u, v)}")
    for path in sorted(args.out.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes, sha256 {sha256(path.read_bytes())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
