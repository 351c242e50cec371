"""The component types of a daryo model: one declarative table per type.

Each attribute is declared once with its kind, unit dimension, default and description; the loader,
the validator and the generated documentation (``docs/model-format.md``) all read these tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Attribute", "ComponentType", "COMPONENT_TYPES", "COMMON_ATTRIBUTES", "EDGE_ATTRIBUTES",
           "CONSTRAINT_TYPES", "REQUIRED", "NODE_REFERENCES", "component_type"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Attribute:
    """One attribute of a component type.

    kind: ``series`` (constant, 12 monthly values, inline per-step list, CSV or ``{parameter: NAME}``; may vary
    by scenario and, through a parameter, with the reservoir state),
    ``scalar`` (one number), ``monthly`` (constant or 12 values), ``table`` (level–volume–area),
    ``node`` (id of another node), ``int``, ``text``, ``choice``; for constraints ``weights`` (node ids, or a
    mapping of node id to weight), ``nodes`` (a list of node ids) and ``series_list`` (one series per node).
    dimension: unit dimension (see :mod:`daryo.units`), or None for non-quantities.
    fixed: a ``series`` the network resolves once, before the run (``daryo.network.compile``): it may vary by step
    and scenario, but not with the reservoir state, so a state-dependent parameter is refused there.
    """

    name: str
    kind: str
    dimension: str | None
    default: Any
    description: str
    choices: tuple[str, ...] = ()
    fixed: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True)
class ComponentType:
    name: str
    description: str
    attributes: tuple[Attribute, ...]
    role: str  # source | storage | passthrough | demand | sink | requirement | delay | constraint

    def attribute(self, name: str) -> Attribute | None:
        for a in self.attributes:
            if a.name == name:
                return a
        for a in COMMON_ATTRIBUTES:
            if a.name == name:
                return a
        return None

    @property
    def all_attributes(self) -> tuple[Attribute, ...]:
        return COMMON_ATTRIBUTES + self.attributes


A = Attribute

COMMON_ATTRIBUTES: tuple[Attribute, ...] = (
    A("name", "text", None, None, "Display name (defaults to the id): the results' `<dimension>_name` coordinates "
      "and the `name` column of `elements.csv`; the tables printed use ids."),
    A("country", "text", None, None, "ISO 3166 alpha-3 code of the country the node is in (e.g. KGZ); one ISO "
      "has not assigned is noted (a typo would make a country of its own in the tables); XAA-XZZ for a region of "
      "your own. A two-letter code or a name of the region's countries is refused with the code meant (KZ or "
      "Kazakhstan: KAZ)."),
    A("lat", "scalar", "angle", None, "Latitude, decimal degrees (for maps)."),
    A("lon", "scalar", "angle", None, "Longitude, decimal degrees (for maps)."),
    A("description", "text", None, None, "Free text."),
    A("source", "text", None, None, "Where the numbers of this component come from (citation)."),
    A("cost", "series", "cost", 0.0,
      "Allocation cost per hm³ through the node (for a reservoir: per hm³ of end-of-step storage). "
      "Negative costs attract water. In `priority` mode costs only break ties after all priorities: a demand's "
      "cost does not change what it gets (`daryo validate` notes one; rank demands by `priority`), and `cost` "
      "mode reads no priority (noted too)."),
)

_FLOW_BOUNDS = (
    A("min_flow", "series", "flow", 0.0, "Hard minimum flow through the node."),
    A("max_flow", "series", "flow", None, "Hard maximum flow through the node (none: unlimited)."),
)

COMPONENT_TYPES: dict[str, ComponentType] = {
    t.name: t
    for t in (
        ComponentType("junction", "A confluence or split point; water in equals water out.", (), "passthrough"),
        ComponentType(
            "inflow", "Water entering the network: a headwater catchment, a tributary, a groundwater source.",
            (
                A("inflow", "series", "flow", None,
                  "Inflow per step (fixed). If omitted, the flow is chosen between min_flow and max_flow."),
                *_FLOW_BOUNDS,
            ),
            "source",
        ),
        ComponentType(
            "reservoir", "A storage: volume carried from step to step, evaporation, spill, rule curves.",
            (
                A("max_volume", "series", "volume", REQUIRED, "Maximum (full supply) volume."),
                A("min_volume", "series", "volume", 0.0,
                  "Minimum (dead) volume; releases cannot draw below it. In `priority` mode a reservoir below it "
                  "(one that starts below it, or that evaporation takes below it) refills it before every priority "
                  "(priority 0): it takes the water that can reach it, even from senior demands that are not "
                  "downstream of it, until it holds its dead volume."),
                A("initial_volume", "scalar", "volume", None,
                  "Volume at the start of the run (default: max_volume at the start, each scenario's own where it "
                  "differs by scenario). Below `min_volume`, in `priority` mode the reservoir fills to it ahead of "
                  "every demand (see `min_volume`; `daryo validate` notes it)."),
                A("level_table", "table", None, None,
                  "Level–volume–area table: `volume` (hm³), `level` (m a.s.l.), `area` (km²), increasing, up to "
                  "max_volume at least; `units: {volume: km3, area: ha}` gives the volume or area columns in other "
                  "units. `daryo validate` notes a table whose volumes are not about its areas × its levels' rise "
                  "(within a factor of 5): a column in another unit, areas in ha say."),
                A("evaporation", "monthly", "depth", 0.0,
                  "Net evaporation depth per step (mm, ≥ 0: a month of more rain than evaporation is 0); loss = depth "
                  "× area at the start-of-step volume. One series for every scenario (not a list per trace). A "
                  "constant is taken whole by every step (`evaporation: 100` is 1,200 mm a year on months, 3,600 on "
                  "dekads: `daryo validate` notes it on steps other than months); 12 monthly depths are each "
                  "month's, shared by its days."),
                A("spill_to", "node", None, None,
                  "Node that receives uncontrolled spill; spill is recorded separately from releases."),
                A("spill_cost", "scalar", "cost", 1.0,
                  "Cost per hm³ spilled (keeps spill the last resort in `priority` mode)."),
                A("target_volume", "series", "volume", None,
                  "Rule curve: soft target end-of-step volume, met at `target_priority`: a constant, 12 monthly "
                  "values (January first), values per step or a CSV series (a curve that changes from year to "
                  "year), or a parameter (a curve that follows the state, as a control curve does)."),
                A("target_priority", "int", None, 10, "Priority of the rule-curve target."),
                A("flood_control_max", "monthly", "volume", None, "Maximum volume per month (flood reserve)."),
                A("above_max", "choice", None, "release",
                  "When the start-of-step volume is above the step's maximum (a falling max_volume): `release` "
                  "down to the maximum within the step, or `hold` (no filling, no forced release; Pywr's rule).",
                  ("release", "hold")),
                A("initial_proportion", "scalar", "fraction", None,
                  "Proportion full at the start, as control-curve parameters read it in the first step "
                  "(default: initial_volume / max_volume)."),
            ),
            "storage",
        ),
        ComponentType(
            "hydropower", "A hydropower plant on a reservoir outlet or run-of-river; water passes through it.",
            (
                A("capacity", "scalar", "power", REQUIRED, "Installed capacity; caps the turbine flow."),
                A("max_turbine_flow", "series", "flow", None, "Turbine flow limit (none: capacity only).", fixed=True),
                A("efficiency", "scalar", "fraction", 0.9,
                  "Overall efficiency (turbine × generator): `0.9` or `90 %` (`0.9 %` is 0.009: `daryo validate` "
                  "notes one below 0.3)."),
                A("reservoir", "node", None, None,
                  "Reservoir upstream of the plant whose start-of-step level sets the head (needs its level_table)."),
                A("tailwater_level", "scalar", "length", 0.0, "Tailwater level (m a.s.l.); head = level − this."),
                A("head", "scalar", "length", None, "Fixed head (m), for run-of-river plants."),
                A("energy_target", "series", "energy", None,
                  "Energy wanted per step (GWh, or a rate: GWh/day, TWh/yr); turned into a minimum turbine flow at "
                  "the current head. One series for every scenario (not a list per trace).",
                  fixed=True),
                A("energy_priority", "int", None, 5, "Priority of the energy target."),
                _FLOW_BOUNDS[0],
                A("max_flow", "series", "flow", None,
                  "Hard maximum flow through the plant (none: unlimited); its capacity at the step's head caps it "
                  "further.", fixed=True),
            ),
            "passthrough",
        ),
        ComponentType(
            "reach", "A river reach or generic link: bounds and a loss fraction on the flow through it.  Its flow "
            "(`node_flow` in the results) and its bounds are of the water entering it; `loss` of that leaves the "
            "network and the rest flows on.",
            (*_FLOW_BOUNDS, A("loss", "series", "fraction", 0.0, "Fraction of the inflow lost in the reach.",
                              fixed=True)),
            "passthrough",
        ),
        ComponentType(
            "canal", "A diversion canal: a link with a capacity, a loss fraction and a country.  Its flow "
            "(`node_flow` in the results: what it takes at its head) and its capacity are of the water entering it; "
            "`loss` of that seeps away on its way (`node_loss`) and the rest passes on to its outlets (`daryo run`'s "
            "canal table: taken, lost, passed on).",
            (
                A("capacity", "series", "flow", None, "Design capacity: the most water entering the canal, before its "
                  "loss."),
                A("min_flow", "series", "flow", 0.0, "Hard minimum flow."),
                A("loss", "series", "fraction", 0.0, "Fraction of the diverted water lost (seepage).", fixed=True),
            ),
            "passthrough",
        ),
        ComponentType(
            "demand", "A water use (irrigation, municipal, industrial): gets up to its demand.",
            (
                A("demand", "series", "flow", REQUIRED, "Water wanted per step."),
                A("priority", "int", None, 1, "1 is served first; demands of one priority share a shortage "
                  "max–min fairly: each gets the same fraction of its demand, except one held back by its own limit "
                  "(a canal's capacity, a source of its own), which gets less while the others share the rest "
                  "(see *Allocation semantics*)."),
                A("category", "choice", None, "irrigation", "Use category.",
                  ("irrigation", "municipal", "industrial", "other")),
                A("consumptive_fraction", "series", "fraction", 1.0,
                  "Fraction of the delivery consumed; the rest returns to `return_to` (at 1, the default, nothing "
                  "returns: `daryo validate` notes a `return_to` then).", fixed=True),
                A("return_to", "node", None, None, "Node the return flow goes to (none: it leaves the system)."),
                A("min_flow", "series", "flow", 0.0, "Hard minimum delivery (a physical must-take)."),
            ),
            "demand",
        ),
        ComponentType(
            "flow_requirement", "A minimum-flow requirement through a node: an environmental flow, or a flow owed "
            "downstream (`purpose`).",
            (
                A("at", "node", None, REQUIRED,
                  "Node whose throughput must reach the flow. It counts all the water passing the node, also what "
                  "is diverted below it: put a flow meant to reach a lake or delta at its sink, or at a reach below "
                  "the last diversion; at a demand it would guarantee the demand's delivery, not a flow in the "
                  "river."),
                A("flow", "series", "flow", REQUIRED, "Required flow per step."),
                A("priority", "int", None, 1, "Priority among demands and other requirements."),
                A("purpose", "choice", None, "environmental",
                  "`environmental`: water left in the river for its ecosystems, which SDG 6.4.2's water stress "
                  "counts as environmental flow; `obligation`: a flow owed downstream (a treaty's share at a border, "
                  "a delivery to another basin), which it does not count.", ("environmental", "obligation")),
            ),
            "requirement",
        ),
        ComponentType(
            "sink", "A terminal sink (sea, lake, depression) that records what it receives.",
            (A("max_flow", "series", "flow", None, "Maximum inflow (none: unlimited)."),
             A("min_flow", "series", "flow", 0.0, "Hard minimum inflow.")),
            "sink",
        ),
        ComponentType(
            "delay", "A travel time: water entering leaves `steps` steps later (a long reach, a routing lag). "
                     "Its flow is the water leaving; what enters in the last steps of the run is still on its way. "
                     "Its `cost` applies to the water entering (the water leaving is fixed by then). Water enters "
                     "only where the allocation sends it: a requirement below a delay is served by what entered "
                     "earlier and draws no water in (it is not yet due), so put a delay on a reach the water must "
                     "take, not beside an outlet that could take it instead.  What leaves a delay is fixed, so its "
                     "outlets must take it all: where all its water must pass elements that take a limited amount "
                     "(demands, edges and nodes with a `max_flow` or `capacity`; a plant's capacity is power), with "
                     "no loss on the way, no more enters it in a step than they take when the water gets there (a "
                     "demand of 5 a step below, even behind a maximum of 50: 5), except in the run's last `steps` "
                     "steps, whose water gets there after the run (so the run's last steps may send more into it "
                     "than a longer run would, and spill less).  Elsewhere (a sink without a "
                     "maximum or a reservoir on the way "
                     "on, a loss, a loop, a maximum set by a parameter of the reservoir state, `carry: rate`) "
                     "nothing holds it back; and the bound counts the delay's own water, not other water that "
                     "reaches the same outlets.  Water that finds no way out when it leaves (a full reservoir "
                     "without `spill_to`) makes that step infeasible, and the message says so.",
            (
                A("steps", "int", None, REQUIRED, "Delay in steps."),
                A("initial_flow", "series", "flow", 0.0, "Water leaving in the first `steps` steps.", fixed=True),
                A("carry", "choice", None, "volume",
                  "What the delay keeps: the `volume` entered (conserves water) or the `rate` per day (Pywr's "
                  "DelayNode; differs from volume only when steps differ in length, e.g. months).",
                  ("volume", "rate")),
            ),
            "delay",
        ),
    )
}

EDGE_ATTRIBUTES: tuple[Attribute, ...] = (
    A("id", "text", None, None, "Edge id (default `from->to`)."),
    A("min_flow", "series", "flow", 0.0, "Hard minimum flow."),
    A("max_flow", "series", "flow", None, "Hard maximum flow (none: unlimited)."),
    A("loss", "series", "fraction", 0.0, "Fraction of the flow lost along the edge.", fixed=True),
    A("cost", "series", "cost", 0.0, "Cost per hm³."),
)


#: generic linear constraints (the model's ``constraints:`` list), one table per kind
CONSTRAINT_TYPES: dict[str, ComponentType] = {
    t.name: t
    for t in (
        ComponentType(
            "flow_sum", "Bounds on a weighted sum of node flows (e.g. a licence shared by several intakes): "
                        "min_flow ≤ Σ weight × flow ≤ max_flow (one bound at least).",
            (
                A("nodes", "weights", None, REQUIRED, "Node ids (weight 1 each) or a mapping of node id to weight. "
                  "Weights may be negative: one group of nodes less another (`{a: 1, b: 1, c: -1}` with "
                  "`max_flow: 0`: a and b together take no more than c), which `flow_ratio`, of single "
                  "nodes, cannot weigh."),
                A("min_flow", "series", "flow", None, "Minimum of the sum (none: no minimum)."),
                A("max_flow", "series", "flow", None, "Maximum of the sum (none: no maximum)."),
            ),
            "constraint",
        ),
        ComponentType(
            "flow_ratio", "Node flows in fixed proportions (a split): flow_k / flow_0 = factor_k / factor_0.",
            (
                A("nodes", "nodes", None, REQUIRED, "Node ids, at least two."),
                A("factors", "series_list", None, REQUIRED, "One factor per node (numbers, series or parameters): none "
                  "negative, not all 0; pure numbers, of which only the ratios count (`[1, 1]` for 50 % and 50 %)."),
            ),
            "constraint",
        ),
    )
}


#: attributes that name another node (``spill_to``, ``reservoir``, ``return_to``, ``at``)
NODE_REFERENCES: tuple[str, ...] = tuple(dict.fromkeys(
    a.name for t in COMPONENT_TYPES.values() for a in t.attributes if a.kind == "node"))


def component_type(name: str) -> ComponentType | None:
    return COMPONENT_TYPES.get(name)
