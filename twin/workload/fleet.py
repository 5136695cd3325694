"""The servers of one cabin, rack by rack: server types, power states, where jobs run, power and heat per rack.

Every rack holds servers of one type. A server is *on* (idle or busy), *booting* (at peak power for the type's
boot time, Gandhi et al. 2012), *shutting down* (at idle power) or *off* (no power; the BMC's few watts are
neglected, as in ``physics.servers.fleet_power_w``). Failed servers leave the fleet; a busy one leaves when its job
ends (``pending``).

Power is kept as sums that change only when a server changes state or a job starts or ends, so a step costs
``O(groups)``, not ``O(servers)``: the *static* power (on and shutting-down servers at idle, booting servers at
peak) per rack, and per *group* (a server type running one job class) the dynamic power above idle at full
speed, which scales with the group's speed (``physics.servers.busy_power_w``).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

__all__ = ["ServerType", "RackFleet"]


@dataclass(frozen=True)
class ServerType:
    """Power figures of one server type [W] and its boot and shutdown times [s]."""

    name: str
    idle_w: float
    peak_w: float
    boot_s: float = 0.0
    shutdown_s: float = 0.0


class RackFleet:
    """Servers of one cabin by rack.

    Parameters
    ----------
    rack_type : sequence of int
        Type index of each rack (into ``types``).
    rack_servers : sequence of int
        Servers installed in each rack.
    types : list of ServerType
    group_type : sequence of int
        Server type of each job group (a class on its type).
    deviation_k_w : (racks, racks) array or None
        Rack inlet deviation per watt of rack heat at design flow (``physics.rack_inlets``); None: no spread.
    """

    def __init__(self, rack_type, rack_servers, types: list[ServerType], group_type=(0,), deviation_k_w=None):
        self.rack_type = [int(t) for t in rack_type]
        installed = [int(k) for k in rack_servers]
        n = len(self.rack_type)
        if len(installed) != n or n == 0:
            raise ValueError("rack_servers: one count per rack is needed")
        self.types = list(types)
        self.n_racks = n
        # integer state per rack in Python lists: a job touches one or two racks, and list items are cheaper
        # to read and write than numpy elements
        self.installed = list(installed)
        self.alive = list(installed)
        self.on = list(installed)
        self.busy = [0] * n
        self.trans = [0] * n  # booting or shutting down
        self.pending = [0] * n
        self.racks_of_type = [[r for r in range(n) if self.rack_type[r] == t] for t in range(len(self.types))]
        self.rack_idle_w = [self.types[t].idle_w for t in self.rack_type]
        self.static_w = np.array([k * w for k, w in zip(self.on, self.rack_idle_w)], dtype=float)
        self.static_total_w = float(self.static_w.sum())
        self.group_type = list(group_type)
        self.dyn_rack_w = [np.zeros(n) for _ in self.group_type]  # per group: dynamic power at full speed
        self.dyn_total_w = [0.0] * len(self.group_type)
        self.n_on = [sum(self.on[r] for r in rs) for rs in self.racks_of_type]
        self.n_alive = list(self.n_on)  # alive and not failed
        self.n_servers = sum(self.alive)  # alive, those failed under a running job included
        self.n_busy = [0] * len(self.types)
        self.n_boot = [0] * len(self.types)
        self.n_trans = [0] * len(self.types)
        self.booting = [deque() for _ in self.types]  # (ready time, rack, servers)
        self.shutting = [deque() for _ in self.types]  # (done time, rack, servers)
        self.boots = 0
        self.version = 0  # changes whenever a rack's power may have changed
        self.deviation = None if deviation_k_w is None else np.asarray(deviation_k_w, dtype=float)
        if self.deviation is not None and self.deviation.shape != (n, n):
            raise ValueError(f"deviation_k_w: shape {self.deviation.shape}, expected ({n}, {n})")

    def bind_power_arrays(self, static_w: np.ndarray, dyn_rack_w: list[np.ndarray]) -> None:
        """Keep the racks' static power and each group's dynamic power in the given arrays (one value per rack;
        the engine's plant arrays), with their current values: the fleet writes, the engine reads in place."""
        static_w[:] = self.static_w
        for out, own in zip(dyn_rack_w, self.dyn_rack_w):
            out[:] = own
        self.static_w = static_w
        self.dyn_rack_w = list(dyn_rack_w)

    @classmethod
    def uniform(cls, servers: int, idle_w: float = 0.0, peak_w: float = 0.0) -> "RackFleet":
        """One rack of ``servers`` servers of one type (for queue studies)."""
        return cls([0], [servers], [ServerType("server", idle_w, peak_w)])

    # ------------------------------------------------------------------------------------------------ counts
    @property
    def servers(self) -> int:
        """Servers alive, those failed in a running job included until it ends."""
        return self.n_servers

    @property
    def alive_count(self) -> int:
        """Servers alive and not failed."""
        return sum(self.n_alive)

    def free(self, t: int) -> int:
        """Servers of type ``t`` on and idle."""
        return self.n_on[t] - self.n_busy[t]

    # ------------------------------------------------------------------------------------------------ jobs
    def allocate(self, t: int, size: int, order, group: int, dyn_w: float) -> tuple:
        """Give ``size`` idle servers of type ``t`` to a job of ``group``, racks taken in ``order``; returns the
        allocation ``((rack, servers), ...)``. The caller checks ``free(t) >= size`` first."""
        self.version += 1
        on, busy, dyn = self.on, self.busy, self.dyn_rack_w[group]
        alloc = []
        left = size
        for r in order:
            f = on[r] - busy[r]
            if f > 0:
                take = f if f < left else left
                busy[r] += take
                dyn[r] += take * dyn_w
                alloc.append((r, take))
                left -= take
                if not left:
                    break
        self.n_busy[t] += size
        self.dyn_total_w[group] += size * dyn_w
        return tuple(alloc)

    def release(self, t: int, alloc: tuple, group: int, dyn_w: float) -> None:
        """A job ends (or is paused): its servers become idle, and servers that failed under it leave."""
        self.version += 1
        dyn = self.dyn_rack_w[group]
        size = 0
        busy, pending = self.busy, self.pending
        for r, k in alloc:
            busy[r] -= k
            dyn[r] -= k * dyn_w
            size += k
            if pending[r]:
                self._settle(r)
        self.n_busy[t] -= size
        self.dyn_total_w[group] -= size * dyn_w
        if self.dyn_total_w[group] < 1e-6:
            self.dyn_total_w[group] = 0.0

    def _settle(self, r: int) -> None:
        """Servers of rack ``r`` that failed under a job leave once idle."""
        gone = min(self.pending[r], self.on[r] - self.busy[r])
        if gone > 0:
            self.pending[r] -= gone
            self.alive[r] -= gone
            self.n_servers -= gone
            self._power_off(r, gone)

    def _power_off(self, r: int, k: int) -> None:
        self.version += 1
        self.on[r] -= k
        self.n_on[self.rack_type[r]] -= k
        w = k * self.rack_idle_w[r]
        self.static_w[r] -= w
        self.static_total_w -= w

    # ------------------------------------------------------------------------------------------------ failures
    def fail(self, r: int) -> None:
        """One server of rack ``r`` fails: an idle one leaves at once, else an off one, else a busy (or booting)
        one leaves when it is next idle."""
        self.version += 1
        self.n_alive[self.rack_type[r]] -= 1
        if self.on[r] - self.busy[r] > 0:
            self.alive[r] -= 1
            self.n_servers -= 1
            self._power_off(r, 1)
        elif self.alive[r] - self.on[r] - self.trans[r] > 0:
            self.alive[r] -= 1
            self.n_servers -= 1
        else:
            self.pending[r] += 1

    def repair(self, r: int) -> None:
        """A replacement server arrives in rack ``r``, powered on."""
        self.version += 1
        self.n_alive[self.rack_type[r]] += 1
        if self.pending[r]:
            self.pending[r] -= 1
            return
        self.alive[r] += 1
        self.n_servers += 1
        self.on[r] += 1
        self.n_on[self.rack_type[r]] += 1
        self.static_w[r] += self.rack_idle_w[r]
        self.static_total_w += self.rack_idle_w[r]

    def pick_rack(self, u: float) -> int:
        """The rack of a failure, chosen in proportion to its servers alive (``u`` uniform in [0, 1))."""
        live = np.asarray(self.alive) - np.asarray(self.pending)
        cum = np.cumsum(live)
        return int(min(np.searchsorted(cum, u * cum[-1], side="right"), self.n_racks - 1))

    # ------------------------------------------------------------------------------------------------ power states
    def boot(self, t: int, count: int, order, now_s: float) -> int:
        """Start booting up to ``count`` off servers of type ``t``, racks in ``order``; returns how many."""
        self.version += 1
        st = self.types[t]
        started = 0
        for r in order:
            if started >= count:
                break
            off = self.alive[r] - self.on[r] - self.trans[r]
            if off <= 0:
                continue
            take = min(count - started, off)
            self.trans[r] += take
            w = take * st.peak_w
            self.static_w[r] += w
            self.static_total_w += w
            self.booting[t].append((now_s + st.boot_s, r, take))
            started += take
        self.n_boot[t] += started
        self.n_trans[t] += started
        self.boots += started
        return started

    def shutdown(self, t: int, count: int, order, now_s: float, instant: bool = False) -> int:
        """Shut down up to ``count`` idle servers of type ``t``, racks in ``order``; returns how many."""
        self.version += 1
        st = self.types[t]
        done = 0
        for r in order:
            if done >= count:
                break
            idle = self.on[r] - self.busy[r]
            if idle <= 0:
                continue
            take = min(count - done, idle)
            self.on[r] -= take
            self.n_on[t] -= take
            if instant or st.shutdown_s <= 0.0:
                w = take * st.idle_w
                self.static_w[r] -= w
                self.static_total_w -= w
            else:
                self.trans[r] += take
                self.n_trans[t] += take
                self.shutting[t].append((now_s + st.shutdown_s, r, take))
            done += take
        return done

    def booting_or_shutting(self) -> bool:
        return any(self.booting) or any(self.shutting)

    def tick(self, now_s: float) -> None:
        """Finish the boots and shutdowns due by ``now_s``."""
        for t, st in enumerate(self.types):
            q = self.booting[t]
            while q and q[0][0] <= now_s:
                _, r, k = q.popleft()
                self.version += 1
                self.trans[r] -= k
                self.n_boot[t] -= k
                self.n_trans[t] -= k
                self.on[r] += k
                self.n_on[t] += k
                w = k * (st.idle_w - st.peak_w)
                self.static_w[r] += w
                self.static_total_w += w
                if self.pending[r]:  # failed while booting
                    self._settle(r)
            q = self.shutting[t]
            while q and q[0][0] <= now_s:
                _, r, k = q.popleft()
                self.version += 1
                self.trans[r] -= k
                self.n_trans[t] -= k
                w = k * st.idle_w
                self.static_w[r] -= w
                self.static_total_w -= w

    # ------------------------------------------------------------------------------------------------ power, heat
    def power_w(self, group_speed: list[float]) -> float:
        """Electrical power of the fleet [W] with each group's jobs at its speed (clock fraction)."""
        p = self.static_total_w
        for s, d in zip(group_speed, self.dyn_total_w):
            p += s * d
        return p

    def rack_power_w(self, group_speed: list[float], rack_speed: np.ndarray | None = None,
                     group_cap: list[float] | None = None) -> np.ndarray:
        """Electrical power of every rack [W]: each group at its speed, or, with ``rack_speed``, each rack at its
        own speed (no faster than the group's cap)."""
        p = self.static_w.copy()
        if rack_speed is None:
            for s, d in zip(group_speed, self.dyn_rack_w):
                p += s * d
        else:
            caps = group_cap or [1.0] * len(self.dyn_rack_w)
            for c, d in zip(caps, self.dyn_rack_w):
                p += d * np.minimum(rack_speed, c)
        return p

    def inlet_deviation_k(self, rack_power_w: np.ndarray) -> np.ndarray | None:
        """Each rack's inlet above the racks' mean [K] at design flow under the racks' power (``rack_power_w``);
        None without a deviation matrix. The spread scales with 1/fan speed (the gas flow carries the heat), an
        approximation away from design flow (docs/workload.md)."""
        if self.deviation is None:
            return None
        return self.deviation @ rack_power_w
