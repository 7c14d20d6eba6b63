"""Chain of command: a directed graph, per period, of who stood above whom.

The graph is built from three kinds of record, all read through :mod:`dadkhah.access`:

1. **Positions** (:class:`~dadkhah.model.Membership`) held during the period. Inside one
   organisation, holders are ranked by their role (:data:`ROLE_RANK`): the *command* of the
   organisation (heads, ministers, wardens — or every member of a collegial body such as a death
   commission) stands above the organisation node; the remaining holders stand below it, each rank
   under the next higher rank present.
2. **Organisation structure**: an organisation's ``parent_id`` (or a ``subordinate_unit``
   membership of one organisation in another) puts the parent above the child's command.
3. **Orders**: a claim with predicate ``ordered`` (subject → object), and events — whoever took
   part as ``perpetrator_ordering`` stands above the event, the event above its direct and
   complicit perpetrators and above its sub-events.

Edges point from superior to subordinate. Every edge keeps the record it comes from (``via``: the
subordinate's position, the order, the role in the event; ``superior_via``: the superior's position
where there is one), the organisation or event it is about (``context``) and whether its dates are
known (``dated``), so an answer can say *why* someone is above someone else.

Queries: :func:`superiors` ("who was above X in Gohardasht in August 1988?"),
:func:`subordinates`, and :func:`co_members` ("who sat on the same commission?").
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from dadkhah.access import Principal, allowed_sensitivities, can_see, claim_visible, need
from dadkhah.casework.period import Period, span_of
from dadkhah.errors import NotFound
from dadkhah.model import Claim, Entity, Event, Membership, Organization, Participation, Person, Place
from dadkhah.records.naming import display_name

# Lower is higher in the command. Roles not listed here (supporter, prisoner) put nobody under anyone.
ROLE_RANK: dict[str, int] = {
    "head": 0, "minister": 0, "warden": 0,
    "deputy": 1,
    "representative": 2, "prosecutor": 2, "judge": 2, "member": 2,
    "official": 3, "adviser": 3,
    "interrogator": 4,
    "guard": 5,
}
COMMAND_RANK = 0
# Bodies whose members decide together: every member belongs to the command.
COLLEGIAL_ORG_TYPES = frozenset({"commission"})
ORDERING_ROLES = frozenset({"perpetrator_ordering"})
EXECUTING_ROLES = frozenset({"perpetrator_direct", "perpetrator_complicit"})


@dataclass
class CommandGraph:
    """The graph of one period, with the principal it was built for."""

    graph: nx.MultiDiGraph
    period: Period
    principal: Principal

    def node(self, node_id: str) -> dict:
        if node_id not in self.graph:
            raise NotFound(f"{node_id!r} is not in the chain-of-command graph for {self.period}")
        return self.graph.nodes[node_id]

    def label(self, node_id: str) -> str:
        return self.graph.nodes[node_id].get("label", node_id)

    def persons(self) -> list[str]:
        return [n for n, d in self.graph.nodes(data=True) if d.get("kind") == "person"]

    def to_dict(self) -> dict:
        return {
            "period": str(self.period),
            "nodes": [{"id": n, **d} for n, d in self.graph.nodes(data=True)],
            "edges": [{"from": u, "to": v, **d} for u, v, d in self.graph.edges(data=True)],
        }


# --- building ------------------------------------------------------------------------------------

def _visible_entities(session: Session, principal: Principal) -> dict[str, Entity]:
    stmt = select(Entity).where(Entity.kind.in_(("person", "organization", "event", "place")),
                                Entity.sensitivity.in_(allowed_sensitivities(principal)))
    return {e.id: e for e in session.scalars(stmt)}


def _add_node(g: nx.MultiDiGraph, entity: Entity, principal: Principal) -> None:
    if entity.id in g:
        return
    name = display_name(entity, principal)
    attrs = {"kind": entity.kind, "label": name.main, "latin": name.latin, "persian": name.persian}
    if isinstance(entity, Organization):
        attrs.update(org_type=entity.org_type, place_id=entity.place_id)
    elif isinstance(entity, Event):
        attrs.update(event_type=entity.event_type, place_id=entity.place_id, date=entity.date_text)
    g.add_node(entity.id, **attrs)


def build_command_graph(session: Session, period=None, *, principal: Principal) -> CommandGraph:
    """The chain of command during ``period`` (any text :class:`Period` reads; ``None`` = all time), as
    ``principal`` may see it: only the records, positions and sourced orders they may read; an order's
    status is the one they may know (:func:`dadkhah.claims.status.status_for`)."""
    from dadkhah.claims.status import status_for

    principal = need(principal, "the chain of command")
    period = Period.parse(period)
    allowed = allowed_sensitivities(principal)
    entities = _visible_entities(session, principal)
    g = nx.MultiDiGraph()

    # 1. positions held during the period, grouped by organisation
    holders: dict[str, list[tuple[int, Membership]]] = {}
    sub_units: list[Membership] = []
    mems = session.scalars(select(Membership).where(Membership.sensitivity.in_(allowed))).all()
    for m in mems:
        if m.member_id not in entities or m.organization_id not in entities:
            continue
        if not period.overlaps(*span_of(m, "start", "end")):
            continue
        member = entities[m.member_id]
        if m.role == "subordinate_unit" and isinstance(member, Organization):
            sub_units.append(m)
            continue
        if not isinstance(member, Person) or m.role not in ROLE_RANK:
            continue
        org = entities[m.organization_id]
        rank = COMMAND_RANK if org.org_type in COLLEGIAL_ORG_TYPES else ROLE_RANK[m.role]
        holders.setdefault(m.organization_id, []).append((rank, m))

    command: dict[str, list[Membership]] = {}
    for org_id, ranked in holders.items():
        org = entities[org_id]
        _add_node(g, org, principal)
        top = [m for r, m in ranked if r == COMMAND_RANK]
        command[org_id] = top
        for m in top:
            _add_node(g, entities[m.member_id], principal)
            g.add_edge(m.member_id, org_id, relation="commands", via=m.id, context=org_id, role=m.role,
                       title=m.title, dated=m.start_text is not None or m.end_text is not None)
        ranks = sorted({r for r, _ in ranked if r != COMMAND_RANK})
        above: list[tuple[str, str | None]] = [(org_id, None)]  # (node, the membership that put it there)
        for r in ranks:
            tier = [m for rr, m in ranked if rr == r]
            for m in tier:
                _add_node(g, entities[m.member_id], principal)
                for sup, sup_via in above:
                    g.add_edge(sup, m.member_id, relation="superior", via=m.id, superior_via=sup_via,
                               context=org_id, role=m.role, title=m.title,
                               dated=m.start_text is not None or m.end_text is not None)
            above = sorted({(m.member_id, m.id) for m in tier})

    def into(target_id: str) -> list[str]:
        """Who receives an edge aimed at ``target_id``: an organisation's command when it has one."""
        tops = command.get(target_id)
        return sorted({m.member_id for m in tops}) if tops else [target_id]

    # 2. organisation structure
    for org in (e for e in entities.values() if isinstance(e, Organization)):
        if org.parent_id and org.parent_id in entities:
            _add_node(g, entities[org.parent_id], principal)
            _add_node(g, org, principal)
            for target in into(org.id):
                g.add_edge(org.parent_id, target, relation="parent_of", via=org.id, context=org.id, dated=False)
    for m in sub_units:
        _add_node(g, entities[m.organization_id], principal)
        _add_node(g, entities[m.member_id], principal)
        for target in into(m.member_id):
            g.add_edge(m.organization_id, target, relation="parent_of", via=m.id, context=m.member_id,
                       dated=m.start_text is not None or m.end_text is not None)

    # 3. orders: events and their participants, and 'ordered' claims
    events = {k: e for k, e in entities.items() if isinstance(e, Event) and period.overlaps(*span_of(e, "date"))}
    parts = session.scalars(select(Participation).where(Participation.sensitivity.in_(allowed))).all()
    by_event: dict[str, list[Participation]] = {}
    for p in parts:
        if p.event_id in events and p.participant_id in entities and (
                p.role in ORDERING_ROLES or p.role in EXECUTING_ROLES):
            by_event.setdefault(p.event_id, []).append(p)
    for ev in events.values():
        if ev.parent_id in events and (ev.id in by_event or ev.parent_id in by_event):
            by_event.setdefault(ev.id, [])
    for event_id, plist in by_event.items():
        ev = events[event_id]
        _add_node(g, ev, principal)
        dated = ev.date_text is not None
        for p in plist:
            who = entities[p.participant_id]
            _add_node(g, who, principal)
            if p.role in ORDERING_ROLES:
                g.add_edge(who.id, event_id, relation="ordered", via=p.id, context=event_id, role=p.role,
                           dated=dated)
            else:
                for target in into(who.id):
                    _add_node(g, entities[target], principal)
                    g.add_edge(event_id, target, relation="carried_out", via=p.id, context=event_id, role=p.role,
                               dated=dated)
        if ev.parent_id in events:
            _add_node(g, events[ev.parent_id], principal)
            g.add_edge(ev.parent_id, event_id, relation="part_of", via=event_id, context=ev.parent_id, dated=dated)

    claims = session.scalars(select(Claim).where(Claim.predicate == "ordered", Claim.sensitivity.in_(allowed))).all()
    for c in claims:
        if c.object_id not in entities or c.subject_id not in entities or not claim_visible(principal, c):
            continue
        if not any(ci.source is not None and can_see(principal, ci.source) and ci.stance == "supports"
                   for ci in c.citations):
            continue
        status = status_for(session, c, principal)
        if status == "refuted":
            continue
        if not period.overlaps(c.valid_low, c.valid_high):
            continue
        _add_node(g, entities[c.subject_id], principal)
        _add_node(g, entities[c.object_id], principal)
        for target in into(c.object_id):
            _add_node(g, entities[target], principal)
            g.add_edge(c.subject_id, target, relation="ordered", via=c.id, context=c.object_id,
                       status=status, dated=c.valid_text is not None)
    return CommandGraph(graph=g, period=period, principal=principal)


# --- queries -------------------------------------------------------------------------------------

@dataclass
class Step:
    """One edge on the path from a superior down to the person asked about."""

    superior: str
    subordinate: str
    relation: str
    via: str
    context: str | None
    role: str | None = None
    title: str | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Relative:
    """Someone above (or below) the person asked about, with the shortest chain linking them."""

    id: str
    label: str
    kind: str
    distance: int  # how many persons and organisations lie between, plus one
    path: list[Step] = field(default_factory=list)
    persian: str | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "label": self.label, "persian": self.persian, "kind": self.kind,
                "distance": self.distance, "path": [s.to_dict() for s in self.path]}


def scope_contexts(session: Session, scope_id: str) -> set[str]:
    """The organisations and events that count as "in" a place or an organisation.

    A place includes the places within it (``parent_id``), the organisations located there and the
    events that happened there; an organisation includes its sub-organisations.
    """
    target = session.get(Entity, scope_id)
    if target is None:
        raise NotFound(f"no place or organisation with id {scope_id!r}")
    if isinstance(target, Place):
        places = {scope_id}
        frontier = [scope_id]
        while frontier:
            children = session.scalars(select(Place.id).where(Place.parent_id.in_(frontier))).all()
            frontier = [c for c in children if c not in places]
            places.update(frontier)
        orgs = set(session.scalars(select(Organization.id).where(Organization.place_id.in_(places))))
        events = set(session.scalars(select(Event.id).where(Event.place_id.in_(places))))
        return _with_sub_orgs(session, orgs) | events
    if isinstance(target, Organization):
        return _with_sub_orgs(session, {scope_id})
    if isinstance(target, Event):
        return {scope_id}
    raise NotFound(f"{scope_id!r} is a {target.kind}, not a place, organisation or event")


def _with_sub_orgs(session: Session, orgs: set[str]) -> set[str]:
    found = set(orgs)
    frontier = list(orgs)
    while frontier:
        children = session.scalars(select(Organization.id).where(Organization.parent_id.in_(frontier))).all()
        frontier = [c for c in children if c not in found]
        found.update(frontier)
    return found


def _walk(cg: CommandGraph, start: str, *, upward: bool, first_contexts: set[str] | None,
          kinds: tuple[str, ...]) -> list[Relative]:
    g = cg.graph
    if start not in g:
        return []
    edges = g.in_edges if upward else g.out_edges
    came: dict[str, Step] = {}
    depth = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for u, v, data in edges(node, data=True):
            nxt = u if upward else v
            if node == start and first_contexts is not None and data.get("context") not in first_contexts:
                continue
            if nxt in depth:
                continue
            depth[nxt] = depth[node] + 1
            came[nxt] = Step(superior=u, subordinate=v, relation=data["relation"], via=data["via"],
                             context=data.get("context"), role=data.get("role"), title=data.get("title"))
            queue.append(nxt)
    out = []
    for node, d in depth.items():
        if node == start or g.nodes[node].get("kind") not in kinds:
            continue
        path, cur = [], node
        while cur != start:
            step = came[cur]
            path.append(step)
            cur = step.subordinate if upward else step.superior
        out.append(Relative(id=node, label=cg.label(node), kind=g.nodes[node]["kind"], distance=d,
                            path=path, persian=g.nodes[node].get("persian")))
    return sorted(out, key=lambda r: (r.distance, r.label))


def superiors(session: Session, person_id: str, *, period=None, scope: str | None = None,
              principal: Principal, kinds: tuple[str, ...] = ("person",),
              graph: CommandGraph | None = None) -> list[Relative]:
    """Who stood above ``person_id`` during ``period`` — optionally only through the person's
    positions and roles *in* ``scope`` (a place, organisation or event id), e.g.
    ``superiors(s, "person-nouri", period="1988-08", scope="place-gohardasht")``.

    Nearest first; each answer carries the chain of positions, orders and events linking them.
    """
    cg = _graph_for(session, period, principal, graph)
    _check_person(session, person_id, cg.principal)
    contexts = scope_contexts(session, scope) if scope else None
    return _walk(cg, person_id, upward=True, first_contexts=contexts, kinds=kinds)


def subordinates(session: Session, person_id: str, *, period=None, scope: str | None = None,
                 principal: Principal, kinds: tuple[str, ...] = ("person",),
                 graph: CommandGraph | None = None) -> list[Relative]:
    """Who stood below ``person_id`` during ``period`` (the mirror of :func:`superiors`)."""
    cg = _graph_for(session, period, principal, graph)
    _check_person(session, person_id, cg.principal)
    contexts = scope_contexts(session, scope) if scope else None
    return _walk(cg, person_id, upward=False, first_contexts=contexts, kinds=kinds)


def _graph_for(session: Session, period, principal: Principal, graph: CommandGraph | None) -> CommandGraph:
    principal = need(principal, "the chain of command")
    if graph is None:
        return build_command_graph(session, period, principal=principal)
    if graph.principal != principal:
        raise ValueError(f"this chain-of-command graph was built for {graph.principal.name}, not {principal.name}")
    return graph


def _check_person(session: Session, person_id: str, principal: Principal) -> None:
    entity = session.get(Entity, person_id)
    if entity is None or not can_see(principal, entity):
        raise NotFound(f"no person or organisation with id {person_id!r}")


@dataclass
class Seat:
    person_id: str
    label: str
    persian: str | None
    role: str
    title: str | None
    start: str | None
    end: str | None
    membership_id: str


@dataclass
class Body:
    """One organisation someone sat on, with who else sat on it at an overlapping time."""

    organization_id: str
    label: str
    persian: str | None
    org_type: str
    seat: Seat
    others: list[Seat]

    def to_dict(self) -> dict:
        return {"organization_id": self.organization_id, "label": self.label, "persian": self.persian,
                "org_type": self.org_type, "seat": self.seat.__dict__, "others": [o.__dict__ for o in self.others]}


def co_members(session: Session, person_id: str, *, org_type: str | None = "commission", period=None,
               principal: Principal) -> list[Body]:
    """The bodies (by default, commissions) ``person_id`` sat on, and who sat on each with them at an
    overlapping time — "who sat on the same commission?"."""
    principal = need(principal, "who sat on a body")
    period = Period.parse(period)
    _check_person(session, person_id, principal)
    allowed = allowed_sensitivities(principal)
    own = session.scalars(select(Membership).where(Membership.member_id == person_id,
                                                   Membership.sensitivity.in_(allowed))).all()
    bodies = []
    for m in own:
        org = session.get(Organization, m.organization_id)
        if org is None or not can_see(principal, org) or (org_type and org.org_type != org_type):
            continue
        mine = span_of(m, "start", "end")
        if not period.overlaps(*mine):
            continue
        window = Period(*mine)
        others = []
        rows = session.scalars(select(Membership).where(Membership.organization_id == org.id,
                                                        Membership.member_id != person_id,
                                                        Membership.sensitivity.in_(allowed))).all()
        for o in rows:
            who = session.get(Entity, o.member_id)
            if who is None or not can_see(principal, who):
                continue
            span = span_of(o, "start", "end")
            if not window.overlaps(*span) or not period.overlaps(*span):
                continue
            others.append(_seat(o, who, principal))
        me = session.get(Entity, person_id)
        name = display_name(org, principal)
        bodies.append(Body(organization_id=org.id, label=name.main, persian=name.persian, org_type=org.org_type,
                           seat=_seat(m, me, principal), others=sorted(others, key=lambda s: s.label)))
    return sorted(bodies, key=lambda b: b.label)


def _seat(m: Membership, who: Entity, principal: Principal) -> Seat:
    name = display_name(who, principal)
    return Seat(person_id=who.id, label=name.main, persian=name.persian, role=m.role, title=m.title,
                start=m.start_text, end=m.end_text, membership_id=m.id)


def focus_subgraph(cg: CommandGraph, node_id: str, *, radius: int = 3) -> nx.MultiDiGraph:
    """The part of the graph within ``radius`` steps up or down from ``node_id`` (for drawing)."""
    g = cg.graph
    if node_id not in g:
        return nx.MultiDiGraph()
    keep = {node_id}
    for upward in (True, False):
        frontier = {node_id}
        for _ in range(radius):
            nxt = set()
            for n in frontier:
                nxt.update(g.predecessors(n) if upward else g.successors(n))
            nxt -= keep
            keep |= nxt
            frontier = nxt
    return g.subgraph(keep).copy()
