# ruff: noqa: E501  (the cells are notebook text, kept as a reader sees them)
"""Write examples/compare_corridors.ipynb from the cells below (outputs cleared).

The notebook is the project's worked example: it tells the story in prose and shows
results; tests/test_notebook.py executes it and checks what its outputs say. Edit the
cells here, run ``python scripts/build_notebook.py``, then execute the notebook to
refresh its outputs (``tests/test_notebook.py`` does so in a temporary folder).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

OUT = Path(__file__).resolve().parent.parent / "examples" / "compare_corridors.ipynb"

CELLS: list[tuple[str, str]] = [
    ("md", """# Does a new corridor really beat the old one?

Landlocked Central Asia is negotiating short ways to the Arabian Sea: the planned
Uzbekistan–Afghanistan–Pakistan railway (UAP) through Kharlachi, a western line through
Chaman, Kandahar and Herat, and links across the Caspian. Promoters say the UAP will be
"up to five days faster and 40% cheaper" than the routes used today — rail to Iran's Bandar
Abbas, the Russian ports, the road through Afghanistan.

This notebook checks that on the bundled `central_asia` network, where every figure — each
link's length, speed and rate, each border's dwell and fee, each wait, each emission
intensity — cites its source (`networks/central_asia/sources.csv`). Costs are USD per TEU
at 2023 prices, emissions kg CO2e per TEU well-to-wheel (ISO 14083, GLEC default
intensities). Every sentence below that carries a number is computed in the cell above it,
so rerunning the notebook after changing an assumption rewrites the findings too."""),
    ("code", """import pandas as pd
from IPython.display import Image, Markdown, display

import corridor_router as cr
from corridor_router.plot import route_map, tcd_chart

net = cr.load_network()


def table(df, columns):
    \"\"\"A comparison table as a reader wants it: rounded, units in the headers.\"\"\"
    units = {"km": "km", "days": "days", "cost_usd": "USD/TEU", "co2e_kg": "kg CO2e/TEU",
             "days_saved": "days saved", "cost_saved_pct": "% cost saved",
             "co2e_saved_pct": "% CO2e saved", "borders": "borders",
             "gauge_breaks": "gauge breaks", "modes": "modes", "scenario": "scenario"}
    digits = {"km": "{:,.0f}", "days": "{:.1f}", "cost_usd": "{:,.0f}", "co2e_kg": "{:,.0f}",
              "days_saved": "{:+.1f}", "cost_saved_pct": "{:+.0f}%",
              "co2e_saved_pct": "{:+.0f}%", "borders": "{:.0f}", "gauge_breaks": "{:.0f}"}
    out = df[columns].copy()
    for c in columns:
        if c in digits:
            out[c] = out[c].map(lambda v, f=digits[c]: "–" if pd.isna(v) else f.format(v))
    return out.rename(columns=units)


def faster(days):
    return f"{abs(days):.1f} days {'faster' if days >= 0 else 'slower'}"


def cheaper(pct):
    return f"{abs(pct):.0f}% {'cheaper' if pct >= 0 else 'dearer'}"


print(net)"""),
    ("md", """## 1. Tashkent → Karachi: every corridor against today's best route

`cr.compare` routes each corridor along its own links (the UAP and western lines are built
in their corridors' scenarios) and sets it against *today*: the best route over what
operates now. Savings are against today (positive: faster or cheaper)."""),
    ("code", """CORRIDORS = ["uap", "western", "bandar_abbas", "russia_baltic", "russia_black_sea",
             "afghan_road"]
tk = cr.compare("Tashkent", "Karachi", corridors=CORRIDORS, network=net)
table(tk, ["km", "days", "cost_usd", "co2e_kg", "borders", "gauge_breaks", "modes",
           "days_saved", "cost_saved_pct"])"""),
    ("code", """uap, today, ba = tk.loc["uap"], tk.loc["today"], tk.loc["bandar_abbas"]
display(Markdown(
    f"**Finding.** Today's best Tashkent → Karachi route goes by {today.modes} in "
    f"{today.days:.1f} days for USD {today.cost_usd:,.0f} per TEU. The UAP would be "
    f"{faster(uap.days_saved)} and {cheaper(uap.cost_saved_pct)} than that "
    f"({uap.days:.1f} days, USD {uap.cost_usd:,.0f}). Against rail to Bandar Abbas and sea to "
    f"Karachi ({ba.days:.1f} days, USD {ba.cost_usd:,.0f}) it is "
    f"{faster(ba.days - uap.days)} and "
    f"{cheaper(100 * (ba.cost_usd - uap.cost_usd) / ba.cost_usd)}."))"""),
    ("md", """## 2. And the emissions?

Each leg emits its length times its mode's intensity in its country (road 0.89, container
ship 0.0825, Caspian ro-pax ferry 1.25 kg CO2e per TEU-km: GLEC defaults at 10 t of cargo per
TEU; rail 0.16–0.22 by each country's diesel and electric traction). `objective="co2e"`
routes by them."""),
    ("code", """road = cr.route("Tashkent", "Karachi", modes=["road"], network=net)
least = cr.route("Tashkent", "Karachi", objective="co2e", network=net)
display(Markdown(
    f"**Finding.** The rail-heavy UAP emits {uap.co2e_kg:,.0f} kg CO2e per TEU, against "
    f"{road.co2e_kg:,.0f} kg for the all-road route and {ba.co2e_kg:,.0f} kg via Bandar Abbas; "
    f"today's cheapest route emits {today.co2e_kg:,.0f} kg. The least-emitting route over what "
    f"operates today emits {least.co2e_kg:,.0f} kg, in {least.days:.1f} days for "
    f"USD {least.cost_usd:,.0f}. Terminals and transhipment are left out, so every figure "
    f"is a floor."))
table(tk.sort_values("co2e_kg"), ["modes", "km", "co2e_kg", "co2e_saved_pct"])"""),
    ("md", """## 3. Almaty, and the Gulf hub Jebel Ali"""),
    ("code", """tables = {}
for origin in ("Tashkent", "Almaty"):
    for destination in ("Karachi", "Jebel Ali"):
        tables[(origin, destination)] = cr.compare(origin, destination, corridors=CORRIDORS,
                                                   network=net)
overview = pd.concat({f"{o} → {d}": table(t, ["km", "days", "cost_usd", "co2e_kg",
                                              "days_saved", "cost_saved_pct"])
                      for (o, d), t in tables.items()})
overview"""),
    ("md", """## 4. The claim: "up to five days faster and 40% cheaper"

The Uzbek estimate compares the UAP with the routes used today. `check_claim` sets it
against rail to Bandar Abbas and sea to Karachi, the route the "35 days" baseline most
plausibly describes, says whether each part holds, what the old route would have to take
for it to hold, which parameters would flip the verdict within their sourced ranges, and
where the difference comes from."""),
    ("code", """claim = cr.check_claim("Tashkent", "Karachi", corridor="uap", versus="bandar_abbas",
                       days_saved=5, cost_saved_pct=40, network=net)
print(claim.summary())"""),
    ("code", """claim.breakdown.round(1)"""),
    ("code", """versus_today = cr.check_claim("Tashkent", "Karachi", corridor="uap", versus="today",
                              network=net)
print(versus_today.summary())"""),
    ("md", """## 5. Where the time and money go, and the routes on a map

The Time/Cost–Distance chart (the UN ESCAP method) climbs with each leg; flat steps are
borders, transfers and waits. The map draws the same routes over country borders, each
offset a little so that shared track stays visible."""),
    ("code", """routes = cr.compare_routes("Tashkent", "Karachi",
                           corridors=["uap", "bandar_abbas", "afghan_road"], network=net)
fig = tcd_chart(routes)
fig.savefig("tcd_tashkent_karachi.png", dpi=110)
Image("tcd_tashkent_karachi.png")"""),
    ("code", """m = route_map(routes, network=net)
m.savefig("map_tashkent_karachi.png", dpi=90)
Image("map_tashkent_karachi.png")"""),
    ("md", """An interactive map (folium, the `[maps]` extra): hover a leg for its mode, length, hours,
cost, emissions and source; borders and gauge breaks are markers."""),
    ("code", """cr.explore(routes, network=net)"""),
    ("md", """## 6. A scenario of your own: Pakistan's e-tagging and barrier-free motorways

Suppose Pakistan's electronic cargo tracking and barrier-free tolling halve the time trucks
and trains spend at its western borders, and trucks on its roads reach the CAREC average speed
(42 km/h without delays) instead of Pakistan's 24.8 km/h. These are assumptions of this
what-if, not sourced figures: a `Scenario` says them in code, and every table and chart above
can be rerun under it. Then add a 30-day closure of Torkham, as in 2025."""),
    ("code", """pk_crossings = net.crossings[(net.crossings["to_country"] == "PK")
                            | (net.crossings["from_country"] == "PK")]
faster_pk = cr.Scenario(
    "pk_etag",
    description="PK border clearance halved; PK road speed at the CAREC average",
    overrides={**{f"crossings.{cid}.dwell_h": dwell / 2
                  for cid, dwell in pk_crossings["dwell_h"].items()},
               "modes.road.countries.PK.speed_kmh": 42.0})
etag = cr.compare("Tashkent", "Karachi", corridors=["uap", "bandar_abbas", "afghan_road"],
                  scenario=faster_pk, network=net)
def change(name):
    before, after = tk.loc[name, "days"], etag.loc[name, "days"]
    if abs(after - before) < 0.05:
        return f"{name.replace('_', ' ')} is unchanged at {after:.1f} days"
    return f"{name.replace('_', ' ')} takes {after:.1f} days instead of {before:.1f}"


today_pk = cr.route("Tashkent", "Karachi", scenario=faster_pk, network=net)
crosses_pk = today_pk.borders["detail"].str.contains("PK").any()
display(Markdown(
    f"**Finding.** With faster clearance and roads, {change('today')} (its best route "
    f"{'crosses' if crosses_pk else 'crosses no'} Pakistani land border), the "
    f"{change('afghan_road')} and the "
    f"{change('uap')}: under the same reforms the UAP is "
    f"{faster(etag.loc['uap', 'days_saved'])} and {cheaper(etag.loc['uap', 'cost_saved_pct'])} "
    f"than today's best route."))
table(etag, ["km", "days", "cost_usd", "co2e_kg", "days_saved", "cost_saved_pct"])"""),
    ("code", """shut = cr.Scenario("pk_etag_torkham_30d", overrides=faster_pk.overrides,
                   close_days={"torkham": 30})
r = cr.route("Peshawar", "Jalalabad", scenario=shut, objective="generalized", network=net)
c = r.closures.iloc[0]
print(f"Torkham shut 30 days, Peshawar → Jalalabad: {c['choice']} (waiting: "
      f"{c['wait_days']:.1f} days; going round by {c['reroute_borders']}: "
      f"{c['reroute_days']:.1f} days).")"""),
    ("md", """## 7. How far to trust these numbers: the model against published trips

`observed.csv` holds published end-to-end figures (trips, scheduled services, tariffs, 2019
or later). Each is routed the way the cargo went and set beside the model: ratio = model /
observed; the band is ±30% for days and cost, ±8% for km. A ratio below 1 means the model is
faster or cheaper than what cargo experienced."""),
    ("code", """from corridor_router.plot import calibration_chart

cal = cr.calibration()
summary = cal.attrs["summary"]
display(summary.round(2))
calibration_chart(cal)"""),
    ("md", """## 8. How sure can we be? Ranges, and the probability that the claim holds

Every figure above is a central value. `cr.simulate` draws the figures that have a sourced
range (border dwell from CPMM's year-to-year spread, speeds, rates: beta-PERT on low,
central, high), the wait for each departure (uniform up to one headway)
and the closures of the disruption log (`disruptions.csv`: the dated Pakistan–Afghanistan
closures of 2023–2025 above all). Each draw is routed exactly, and a figure shared by two
corridors takes the same value in both (common random numbers). Cargo that meets a closure
waits it out or goes round it, whichever is better in that draw."""),
    ("code", """sim = cr.simulate("Tashkent", "Karachi", corridors=["uap", "bandar_abbas", "afghan_road", "china"],
                  n=10_000, seed=1, deadline_days=14, network=net)
print(sim)
s = sim.summary
print(f"{len(sim.closures) / sim.n:.0%} of draws meet a closure.")
display(Markdown(
    f"**Finding.** Over {sim.n:,} draws the UAP takes {s.loc['uap', 'days_p10']:.0f}–"
    f"{s.loc['uap', 'days_p90']:.0f} days (P10–P90; central {s.loc['uap', 'days']:.1f}) and "
    f"arrives within 14 days in {s.loc['uap', 'p_deadline']:.0%} of them; Bandar Abbas takes "
    f"{s.loc['bandar_abbas', 'days_p10']:.0f}–{s.loc['bandar_abbas', 'days_p90']:.0f} days. "
    f"By cost, the UAP is the cheapest alternative in {s.loc['uap', 'best_share']:.0%} of "
    f"draws."))
table(s, ["days", "cost_usd"]).join(s[["days_p10", "days_p50", "days_p90", "p_deadline",
                                        "best_share"]].round(2))"""),
    ("code", """sim.chart("days")"""),
    ("code", """claim_p = cr.check_claim("Tashkent", "Karachi", corridor="uap", versus="bandar_abbas",
                         days_saved=5, cost_saved_pct=40, n=10_000, seed=1, network=net)
print(claim_p.summary().splitlines()[-2])
claim_p.probability.round(3)"""),
    ("code", """tcd_chart(sim.central, ranges=sim)   # each route's P10–P90 at its end"""),
    ("md", """## 9. What if a border closes? Criticality, waiting or going round, and a sweep

`cr.criticality` takes the best route of a trip and solves it again without each thing it
passes — the border between two countries (all its crossings), each crossing, link, sea
passage and place — ranking the losses by what they cost. `cr.sweep` runs the comparison for
many scenarios and trips at once (on all cores, or a Dask cluster)."""),
    ("code", """crit = cr.criticality("Tashkent", "Karachi", objective="generalized", network=net)
top = crit.iloc[0]
display(Markdown(
    f"**Finding.** By generalized cost, Tashkent → Karachi takes {crit.attrs['days']:.1f} days. "
    f"Losing the {top['name']} costs {top['extra_objective']:,.0f} USD/TEU of generalized cost "
    f"({top['extra_days']:+.1f} days, {top['extra_cost_usd']:+,.0f} USD): the route goes by "
    f"{top['borders_after']} instead."))
crit.head(8)[["rank", "kind", "name", "extra_days", "extra_cost_usd", "extra_objective",
              "borders_after"]].round(1)"""),
    ("code", """for days in (3, 60):
    shut = cr.Scenario(f"torkham {days} days", close_days={"torkham": days})
    r = cr.route("Peshawar", "Jalalabad", scenario=shut, objective="generalized", network=net)
    c = r.closures.iloc[0]
    print(f"Torkham shut {days} days: {c['choice']} — waiting takes {c['wait_days']:.1f} days, "
          f"going round by {c['reroute_borders']} {c['reroute_days']:.1f} days and "
          f"{c['reroute_cost_usd'] - c['wait_cost_usd']:+,.0f} USD/TEU.")

# every scenario x trip in one table (workers=1: a small sweep; by default one process per
# core, or client=... for a Dask cluster)
swept = cr.sweep(["baseline", "pk_af_closed_2025",
                  cr.Scenario("torkham_30d", close_days={"torkham": 30})],
                 [("Tashkent", "Karachi"), ("Almaty", "Gwadar")], corridors=["uap"],
                 objective="generalized", workers=1, progress=False, network=net)
swept.pivot_table(index=["origin", "destination", "alternative"], columns="scenario",
                  values="days").round(1)"""),
    ("md", """## What this shows"""),
    ("code", """p = claim_p.probability
overall = summary[(summary["metric"] == "days") & (summary["family"] == "all")].iloc[0]
display(Markdown(f\"\"\"
* **The claim.** Against rail to Bandar Abbas the UAP saves {claim.days_saved:.1f} days and
  {claim.cost_saved_pct:.0f}% of cost: the time part of "five days, 40%" {'holds' if claim.holds_days else 'does not hold'},
  the cost part {'holds' if claim.holds_cost else 'does not hold'}. Over {claim_p.n:,} draws the time saving holds in
  {p.loc['days', 'probability']:.0%} and the cost saving in {p.loc['cost', 'probability']:.0%}.
* **Against today.** The UAP is {faster(uap.days_saved)} and {cheaper(uap.cost_saved_pct)} than the best
  route that runs today; the promised savings are against older, slower routes.
* **Emissions.** Rail keeps the UAP near {uap.co2e_kg:,.0f} kg CO2e per TEU, a
  {100 * (road.co2e_kg - uap.co2e_kg) / road.co2e_kg:.0f}% cut on the all-road route.
* **Trust.** Against {int(overall['cases'])} published trips the model's days are
  {overall['geomean_ratio']:.2f} times what cargo experienced (geometric mean; {overall['share_in_band']:.0%}
  within ±30%): read rail days as optimistic.
* **Closures.** The UAP crosses the Pakistan–Afghanistan border, shut for months in
  2024–2025: its P90 is {s.loc['uap', 'days_p90']:.0f} days against a central
  {s.loc['uap', 'days']:.1f}, and it arrives within 14 days in {s.loc['uap', 'p_deadline']:.0%} of the draws.
* Change any assumption with a `cr.Scenario(overrides={{...}})` and rerun the cells.
\"\"\"))"""),
]


def build() -> nbformat.NotebookNode:
    cells = [new_markdown_cell(src) if kind == "md" else new_code_cell(src)
             for kind, src in CELLS]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


if __name__ == "__main__":
    nbformat.write(build(), OUT)
    print(f"wrote {OUT}")
