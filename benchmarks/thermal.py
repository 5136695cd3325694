"""Cost of one exact thermal step for 1, 10 and 100 cabins, and of building a cabin's step matrices.

    python benchmarks/thermal.py

Then the 3D field's solve at about 100,000 cells (``benchmarks/field.py``). The engine steps each cabin group
with scalar arithmetic on cached matrices (``StepCache``); ``step_many`` steps a stack of cabins with numpy. Both
are timed here, each as the best of several repeats.
"""

from __future__ import annotations

import time

import numpy as np

from physics import thermal
from twin.scenario import load_scenario
from twin.sim.cabin import build_cabin


def best_of(fn, repeats: int = 5, number: int = 2000) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - t0) / number)
    return best


def main() -> None:
    sc = load_scenario("lingang-phase1")
    p = build_cabin(sc, sc.cabins[0]).thermal
    cache = thermal.StepCache(p, 60.0)
    ad, bd, kg, ks = cache.get(60, 300)
    x = [25.0, 35.0, 12.0]

    def scalar_step():
        x0, x1, x2 = x
        heat, sea = 1.4e6, 12.0
        return (ad[0] * x0 + ad[1] * x1 + ad[2] * x2 + bd[0] * heat + bd[1] * sea,
                ad[3] * x0 + ad[4] * x1 + ad[5] * x2 + bd[2] * heat + bd[3] * sea,
                ad[6] * x0 + ad[7] * x1 + ad[8] * x2 + bd[4] * heat + bd[5] * sea)

    t_scalar = best_of(scalar_step)
    ad_np, bd_np = np.array(ad).reshape(3, 3), np.array(bd).reshape(3, 2)
    rows = []
    for n in (1, 10, 100):
        a = np.broadcast_to(ad_np, (n, 3, 3)).copy()
        b = np.broadcast_to(bd_np, (n, 3, 2)).copy()
        xs = np.tile(np.array(x), (n, 1))
        us = np.tile(np.array([1.4e6, 12.0]), (n, 1))
        rows.append((n, best_of(lambda a=a, b=b, xs=xs, us=us: thermal.step_many(a, b, xs, us))))
    t_build = best_of(lambda: thermal.discretise_network(p, 0.6, 0.6, 60.0), repeats=3, number=200)

    print(f"scalar step, 1 cabin (engine path)   {t_scalar * 1e6:8.2f} us")
    for n, t in rows:
        print(f"step_many, {n:3d} cabins               {t * 1e6:8.2f} us   ({t / rows[0][1]:5.2f} x one cabin)")
    print(f"ratio 100 cabins / 1 cabin (numpy)   {rows[2][1] / rows[0][1]:8.2f}   (target < 5)")
    print(f"ratio 100 cabins numpy / 1 scalar    {rows[2][1] / t_scalar:8.2f}")
    print(f"build one cabin's step matrices      {t_build * 1e6:8.1f} us (a cache miss)")
    print()
    print("3D field of the cabin at about 100,000 cells (benchmarks/field.py):")
    import field as field_benchmark  # noqa: E402  (benchmarks/ is on sys.path when run as a script)

    field_benchmark.main()


if __name__ == "__main__":
    main()
