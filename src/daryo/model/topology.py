"""The network as a graph of where water goes: along edges, spills and return flows; what water from a node
reaches within a step (not through a delay, which passes it on steps later) or at all; the loops within a step;
shortest paths to name them in messages (for the checks of :mod:`daryo.model.validate`); and the limited outlets
that all the water entering a delay must pass (for the bound :mod:`daryo.network.compile` puts on it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from .series import numbers_of
from .types import Edge, Model, Node


def _intakes_reached(model: Model, demand: str, ref: str) -> list[str]:
    """The nodes ``demand`` takes water from that its return flow into ``ref`` reaches within the step (through
    no delay): each a loop through which the LP can deliver the same water again and again."""
    reached, delays = _reached_in_a_step(model, ref), _delays(model)  # (what enters a delay leaves it steps later)
    return [e.source for e in model.edges if e.target == demand and e.source in reached and e.source not in delays]


def _delays(model: Model) -> set[str]:
    """The ids of the model's delays, which water passes only from one step to a later one."""
    return {n.id for n in model.nodes if n.type == "delay"}


def _edges_text(edges: list[Edge], most: int = 6) -> str:
    """Edges named for a message: all of up to ``most``, else the first and last few and how many."""
    return _arcs_text([e.at() for e in edges], most)


def _edge_loop(model: Model, a: str, b: str) -> list[Edge]:
    """The edges of a loop through nodes ``a`` and ``b`` along edges alone, within a step (from ``a`` to ``b`` and
    back, through no delay), or [] where there is none (nor where ``a`` is ``b``: a return to the intake itself)."""
    if a == b:
        return []
    delays = _delays(model)
    leaving: dict[str, list[tuple[str, Edge]]] = {}
    for edge in model.edges:
        if edge.source not in delays:
            leaving.setdefault(edge.source, []).append((edge.target, edge))
    there, back = _shortest_path(leaving, a, b), _shortest_path(leaving, b, a)
    return there + back if there is not None and back is not None else []


_Arc = TypeVar("_Arc")


def _shortest_path(leaving: Mapping[str, list[tuple[str, _Arc]]], start: str, end: str,
                   within: AbstractSet[str] | None = None) -> list[_Arc] | None:
    """The arcs of a shortest path from ``start`` to ``end`` along ``leaving`` (node -> (next node, arc)), through
    nodes of ``within`` only (None: any); ``end`` may be ``start`` (a loop back to it).  None where there is none."""
    came: dict[str, tuple[str, _Arc] | None] = {start: None}
    queue = [start]
    for v in queue:  # (breadth first: the shortest)
        for target, arc in leaving.get(v, ()):
            if target == end:
                arcs = [arc]
                while (step := came[v]) is not None:
                    v, named = step
                    arcs.append(named)
                return arcs[::-1]
            if target not in came and (within is None or target in within):
                came[target] = (v, arc)
                queue.append(target)
    return None


def _arcs_in_a_step(model: Model) -> dict[str, list[tuple[str, str]]]:
    """node -> (next node, the arc as named for a message) of the water that moves within a step: along edges and
    spills, not out of a delay (what enters one leaves it steps later), not from a node to itself (an edge's own
    problem)."""
    shut = _delays(model) | {n.id for n in model.nodes if _never_flows(n)}
    leaving: dict[str, list[tuple[str, str]]] = {}
    for e in model.edges:
        if e.source not in shut and e.source != e.target and not _never_flows(e):
            leaving.setdefault(e.source, []).append((e.target, e.at()))
    for n in model.nodes:
        if isinstance(t := n.attrs.get("spill_to"), str) and t != n.id and n.id not in shut:
            leaving.setdefault(n.id, []).append((t, f"the spill of '{n.id}' to '{t}' ({n.at('spill_to')})"))
    return leaving


def _never_flows(el: Node | Edge) -> bool:
    """Whether an element's flow is held at 0 in every step (a maximum or capacity of 0: a canal shut by an overlay,
    say), so that no water goes round a loop through it."""
    for key in ("max_flow", "capacity"):
        vals = numbers_of(el.attrs.get(key))
        if vals is not None and np.size(vals) and np.all(np.asarray(vals, dtype=float) == 0):
            return True
    return False


def _strongly_connected(leaving: Mapping[str, list[tuple[str, str]]]) -> dict[str, frozenset[str]]:
    """The nodes on a loop, each with the nodes of its strongly connected part (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: dict[str, frozenset[str]] = {}
    for root in list(leaving):
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            v, i = work.pop()
            if i == 0:
                index[v] = low[v] = len(index)
                stack.append(v)
                on_stack.add(v)
            nexts = leaving.get(v, [])
            if i < len(nexts):
                work.append((v, i + 1))
                w = nexts[i][0]
                if w not in index:
                    work.append((w, 0))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            if low[v] == index[v]:  # v is the root of a part: pop it
                part = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    part.append(w)
                    if w == v:
                        break
                if len(part) > 1:
                    members = frozenset(part)
                    out.update(dict.fromkeys(part, members))
            if work:  # (back in the node that went to v)
                parent = work[-1][0]
                low[parent] = min(low[parent], low[v])
    return out


def _arcs_text(arcs: list[str], most: int = 6) -> str:
    """Arcs named for a message: all of up to ``most``, else the first and last few and how many."""
    if len(arcs) > most:
        arcs = [*arcs[:3], f"… {len(arcs) - 5} more …", *arcs[-2:]]
    return "; ".join(arcs)


def _reached_in_a_step(model: Model, start: str) -> set[str]:
    """The nodes water from ``start`` can reach within one step (not through a delay): along edges, demands'
    return flows and reservoirs' spills."""
    return _reached(_arcs(model), [start], stop=_delays(model))


def reached_from(model: Model, start: str) -> set[str]:
    """The nodes water from node ``start`` can reach (it included), along edges, demands' return flows and
    reservoirs' spills, through delays too."""
    return _reached(_arcs(model), [start])


def _reached(arcs: Mapping[str, list[str]], starts: Iterable[str], stop: AbstractSet[str] = frozenset()) -> set[str]:
    """The nodes reached from ``starts`` (they included) along ``arcs``, going on from none of ``stop`` (reached,
    but not passed: a delay's water leaves it steps later)."""
    seen: set[str] = set()
    stack = list(starts)
    while stack:
        v = stack.pop()
        if v in seen:
            continue
        seen.add(v)
        if v not in stop:
            stack.extend(arcs.get(v, ()))
    return seen


def _arcs(model: Model) -> dict[str, list[str]]:
    """node -> the nodes its water goes to: along edges, demands' return flows and reservoirs' spills."""
    out: dict[str, list[str]] = {}
    for source, target in [*((e.source, e.target) for e in model.edges), *_arcs_without_edges(model)]:
        out.setdefault(source, []).append(target)
    return out


def _reaches(arcs: Mapping[str, list[str]], start: str, target: str) -> bool:
    """Whether water from ``start`` reaches ``target`` along ``arcs`` (:func:`_arcs`; through delays too); from
    ``start`` to itself only round a loop."""
    return target in _reached(arcs, arcs.get(start, ()))


def _arcs_without_edges(model: Model) -> list[tuple[str, str]]:
    """(from, to) of the water that moves without an edge: demands' return flows and reservoirs' spills."""
    return [(n.id, t) for n in model.nodes for key in ("return_to", "spill_to")
            if isinstance(t := n.attrs.get(key), str)]


#: the maxima of what a node or edge passes (a plant's ``capacity`` is power: its flow depends on the head)
_FLOW_MAXIMA = ("max_flow", "capacity", "max_turbine_flow")


@dataclass(frozen=True)
class Outlet:
    """An element through which water leaving a delay must pass and that takes a limited amount: a demand (its
    ``demand``), or a node or edge with a maximum (``key``), which the water reaches ``offset`` steps after it entered
    the delay (its ``steps``, and those of further delays on the way).  ``beyond``: the limited elements after it,
    all of whose water passes one of them, so that their sum bounds it too (a maximum of 50 before a demand of 5
    passes 5); None where nothing after it is known to (a way on that takes any amount, a loss).  A ``key`` of ""
    is a node the water cannot leave (a delay with no edge out), which takes nothing before the run's end."""

    element: Node | Edge
    key: str
    offset: int = 0
    beyond: tuple[Outlet, ...] | None = None

    def describe(self) -> str:
        """The outlet as a message names it, with the elements after it that bound it in turn."""
        after = f", and after it {'; '.join(o._own_text() for o in self.beyond)}" if self.beyond else ""
        return self._own_text() + after

    def _own_text(self) -> str:
        el = self.element
        if isinstance(el, Edge):
            return f"the edge {el.source} -> {el.target} (its {self.key})"
        if not self.key:
            return f"'{el.id}' (a {el.type} with no way out)"
        return f"'{el.id}' (a {el.type}: " + ("it takes no more than its demand)" if self.key == "demand"
                                             else f"its {self.key})")


#: the most (node, time) pairs the search for a delay's outlets works out: beyond it, no bound
_MAX_VISITS = 20_000


def _delay_outlets(model: Model, delay: str, horizon: int | None = None) -> list[Outlet] | None:
    """The limited elements (:class:`Outlet`) that all the water entering delay ``delay`` must pass once it leaves,
    so that what enters it in a step is at most what they take when it gets there; None where no such bound is
    known: its water can reach a node that takes any amount (a sink without a maximum, a reservoir), meets a loss
    on the way, a delay that carries a rate (whose volume changes with the steps' lengths), or a node it has
    passed (a loop).  Water passes on through junctions, reaches, canals, plants and further delays without a
    maximum; past a limited element, the search goes on for the elements that bound it in turn
    (:attr:`Outlet.beyond`).  Each (node, time) is worked out once, without recursion (a chain of thousands of
    nodes, a braided river); water that gets somewhere ``horizon`` steps or more after entering (after the run)
    is not bounded, nor is, then, what enters the delay."""
    ids = {n.id: n for n in model.nodes}
    leaving: dict[str, list[Edge]] = {}
    for e in model.edges:
        leaving.setdefault(e.source, []).append(e)

    def maximum(el: Node | Edge) -> str | None:
        return next((key for key in _FLOW_MAXIMA if el.attrs.get(key) is not None
                     and not (isinstance(el, Node) and el.type == "hydropower" and key == "capacity")), None)

    def lossy(el: Node | Edge) -> bool:
        loss = el.attrs.get("loss")
        values = numbers_of(loss)
        return loss is not None and not (values is not None and not np.any(values))

    def rate(node: Node) -> bool:
        return node.type == "delay" and node.get("carry") == "rate"

    def onward_key(node: Node, offset: int) -> tuple[str, int] | None:
        """The (node, time) whose water leaving bounds ``node`` reached at ``offset``; None where there is none to
        work out (a demand, a node that takes any amount or changes the water)."""
        if node.type == "demand" or node.type in ("sink", "reservoir") or lossy(node) or rate(node):
            return None
        return node.id, offset + (int(node.get("steps", 0)) if node.type == "delay" else 0)

    def beyond_the_run(at: tuple[str, int]) -> bool:
        return horizon is not None and at[1] >= horizon

    done: dict[tuple[str, int], list[Outlet] | None] = {}  # (node, time) -> the outlets of its water leaving
    on_path: set[str] = set()

    def reaching(node: Node, offset: int) -> tuple[Outlet, ...] | None:
        """The outlets of the water arriving at ``node`` at ``offset`` (its onward pair worked out already)."""
        if node.type == "demand":
            return (Outlet(node, "demand", offset),)
        onward_at = onward_key(node, offset)  # (None for a node that takes any amount or changes the water)
        onward = None if onward_at is None else done.get(onward_at)
        if (key := maximum(node)) is not None:
            return (Outlet(node, key, offset, None if onward is None else tuple(onward)),)
        return None if onward is None else tuple(onward)

    def work_out(at: tuple[str, int]) -> list[Outlet] | None:
        node_id, offset = at
        if beyond_the_run(at):  # (its water leaves after the run: nothing holds it back)
            return None
        edges = leaving.get(node_id, ())
        if not edges:  # (its water has no way out)
            return [Outlet(ids[node_id], "", offset)]
        found: list[Outlet] = []
        for e in edges:
            node = ids.get(e.target)
            if node is None or lossy(e):
                return None
            got = reaching(node, offset)
            if (key := maximum(e)) is not None:
                found.append(Outlet(e, key, offset, got))
            elif got is None:
                return None
            else:
                found.extend(got)
        # (an outlet reached along two ways at the same time is one outlet, whose maximum counts once)
        return list({(id(o.element), o.key, o.offset): o for o in found}.values())

    start = ids.get(delay)
    if start is None or rate(start):
        return None
    first = (delay, int(start.get("steps", 0)))
    stack: list[tuple[tuple[str, int], bool]] = [(first, False)]  # (pair, its successors pushed)
    while stack:
        at, expanded = stack.pop()
        if at in done:  # (worked out along another way, or found on a loop)
            if expanded:
                on_path.discard(at[0])
            continue
        if expanded:
            on_path.discard(at[0])
            done[at] = work_out(at)
            continue
        if len(done) > _MAX_VISITS:
            return None
        on_path.add(at[0])
        stack.append((at, True))
        for e in () if beyond_the_run(at) else leaving.get(at[0], ()):
            node = ids.get(e.target)
            nxt = None if node is None else onward_key(node, at[1])
            if nxt is None or nxt in done:
                continue
            if nxt[0] in on_path:  # (a loop: its water may come by again and again)
                done[nxt] = None
                continue
            stack.append((nxt, False))
    return done[first]
