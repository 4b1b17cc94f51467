# ruff: noqa: E501  (the template table below reads best one role per line)
"""Deterministic demo data: green jobs and careers over SDGs 1-17, with employers.

Built from templates with a seeded generator, so the same settings give the same rows.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.db import Database
from app.core.settings import Settings
from app.models import Career, Employer, Job, Role
from app.models.base import utcnow
from app.services.ai_client import AiServiceUnavailable
from app.services.embedding_updates import update_embeddings
from app.services.embeddings import ModelUnavailable
from app.services.matching import CareerIndex, JobIndex
from app.services.outbox import enqueue, settle_embedded
from app.services.text_encoders import TextEncoder
from app.services.users import create_user

log = logging.getLogger("app.demo")

DEMO_PASSWORD = "greenmatch-demo"
DEMO_ACCOUNTS = (
    ("candidate@demo.greenmatchers.org", Role.candidate, ""),
    ("employer@demo.greenmatchers.org", Role.employer, "Northwind Renewables"),
    ("admin@demo.greenmatchers.org", Role.admin, ""),
)


@dataclass(frozen=True)
class RoleTemplate:
    title: str
    duties: str
    band: tuple[int, int]  # yearly salary band in USD


SDG_NAMES = {
    1: "No Poverty", 2: "Zero Hunger", 3: "Good Health and Well-being",
    4: "Quality Education", 5: "Gender Equality", 6: "Clean Water and Sanitation",
    7: "Affordable and Clean Energy", 8: "Decent Work and Economic Growth",
    9: "Industry, Innovation and Infrastructure", 10: "Reduced Inequalities",
    11: "Sustainable Cities and Communities", 12: "Responsible Consumption and Production",
    13: "Climate Action", 14: "Life Below Water", 15: "Life on Land",
    16: "Peace, Justice and Strong Institutions", 17: "Partnerships for the Goals",
}  # fmt: skip

ROLES: dict[int, list[RoleTemplate]] = {
    1: [
        RoleTemplate("Microfinance Loan Officer", "assess small-business loan applications from low-income entrepreneurs and coach borrowers on budgeting", (32_000, 52_000)),
        RoleTemplate("Social Protection Analyst", "design cash-transfer programmes and measure their effect on household poverty", (48_000, 78_000)),
        RoleTemplate("Community Livelihoods Coordinator", "run skills and savings groups that help families build stable incomes", (35_000, 55_000)),
        RoleTemplate("Affordable Housing Program Manager", "deliver low-cost housing projects with local councils and tenant groups", (55_000, 85_000)),
    ],
    2: [
        RoleTemplate("Regenerative Agriculture Advisor", "train farmers in cover cropping, composting and soil-health practices that raise yields", (42_000, 68_000)),
        RoleTemplate("Food Bank Operations Manager", "manage donated food logistics, cold storage and distribution to families in need", (40_000, 62_000)),
        RoleTemplate("Agronomist for Smallholder Farms", "test drought-tolerant seed varieties and irrigation schedules with smallholder farmers", (45_000, 72_000)),
        RoleTemplate("Food Waste Reduction Specialist", "redirect surplus food from retailers to charities and cut waste in supply chains", (38_000, 58_000)),
    ],
    3: [
        RoleTemplate("Community Health Worker", "visit households to provide preventive care, vaccinations advice and health screening", (30_000, 46_000)),
        RoleTemplate("Air Quality Health Researcher", "study how pollution exposure affects asthma and heart disease in cities", (55_000, 90_000)),
        RoleTemplate("Telemedicine Program Coordinator", "connect rural clinics with remote doctors through digital consultations", (45_000, 70_000)),
        RoleTemplate("Mental Health Counselor", "offer counselling and support groups for young people and frontline workers", (42_000, 66_000)),
    ],
    4: [
        RoleTemplate("Climate Education Teacher", "teach secondary students climate science, sustainability and environmental projects", (38_000, 60_000)),
        RoleTemplate("Green Skills Curriculum Designer", "design vocational courses on solar installation, retrofit and circular economy skills", (50_000, 80_000)),
        RoleTemplate("EdTech Learning Designer", "build online learning modules that reach students in remote areas", (52_000, 84_000)),
        RoleTemplate("Adult Literacy Program Lead", "run literacy and numeracy classes for adults returning to education", (36_000, 56_000)),
    ],
    5: [
        RoleTemplate("Gender Equality Program Officer", "lead programmes that close pay gaps and support women into leadership", (45_000, 72_000)),
        RoleTemplate("Women in Clean Energy Mentor Coordinator", "match women engineers with mentors across the renewable energy sector", (42_000, 64_000)),
        RoleTemplate("Diversity and Inclusion Analyst", "analyse hiring and promotion data to remove bias from workplace processes", (50_000, 82_000)),
        RoleTemplate("Gender-Based Violence Case Worker", "support survivors with safety planning, legal referrals and counselling", (34_000, 52_000)),
    ],
    6: [
        RoleTemplate("Water Treatment Plant Operator", "operate filtration and disinfection systems that supply safe drinking water", (40_000, 62_000)),
        RoleTemplate("WASH Engineer", "design wells, latrines and handwashing stations for water, sanitation and hygiene projects", (50_000, 82_000)),
        RoleTemplate("Wastewater Process Engineer", "optimise wastewater treatment, sludge handling and water reuse plants", (58_000, 92_000)),
        RoleTemplate("Watershed Hydrologist", "monitor rivers and groundwater and model drought and flood risk for catchments", (55_000, 88_000)),
    ],
    7: [
        RoleTemplate("Wind Turbine Technician", "inspect, maintain and repair wind turbines, including gearboxes, blades and generators, climbing towers on onshore wind farms", (45_000, 70_000)),
        RoleTemplate("Offshore Wind Service Engineer", "troubleshoot and repair offshore wind turbine electrical systems and lead maintenance crews at sea", (60_000, 95_000)),
        RoleTemplate("Solar PV Installer", "install rooftop solar panels, inverters and mounting systems for homes and businesses", (38_000, 58_000)),
        RoleTemplate("Battery Storage Engineer", "design grid-scale lithium battery storage systems and their control software", (70_000, 110_000)),
        RoleTemplate("Energy Efficiency Auditor", "audit buildings for insulation, heating and lighting upgrades that cut energy bills", (42_000, 66_000)),
    ],
    8: [
        RoleTemplate("Green Jobs Career Coach", "help job seekers move into careers in renewable energy, retrofit and recycling", (38_000, 58_000)),
        RoleTemplate("Fair Trade Supply Chain Auditor", "audit factories and farms for fair wages, safe conditions and labour rights", (48_000, 76_000)),
        RoleTemplate("Social Enterprise Business Developer", "grow revenue for social enterprises that employ disadvantaged workers", (50_000, 80_000)),
        RoleTemplate("Workplace Health and Safety Officer", "inspect sites and train crews to prevent accidents and occupational illness", (45_000, 70_000)),
    ],
    9: [
        RoleTemplate("Sustainable Infrastructure Engineer", "design low-carbon bridges, roads and utilities with lifecycle carbon assessment", (65_000, 105_000)),
        RoleTemplate("Green Hydrogen Process Engineer", "scale electrolyser plants that produce hydrogen from renewable electricity", (75_000, 120_000)),
        RoleTemplate("Rural Broadband Project Manager", "bring fibre and wireless internet to underserved rural communities", (60_000, 95_000)),
        RoleTemplate("Industrial Decarbonisation Consultant", "help cement, steel and chemical plants cut process emissions", (70_000, 115_000)),
    ],
    10: [
        RoleTemplate("Refugee Employment Specialist", "place refugees and migrants into jobs and recognise their qualifications", (38_000, 58_000)),
        RoleTemplate("Accessibility Specialist", "audit digital services and buildings so people with disabilities can use them", (50_000, 80_000)),
        RoleTemplate("Inclusive Finance Product Manager", "build banking products for people excluded from traditional credit", (70_000, 110_000)),
        RoleTemplate("Community Legal Aid Advocate", "give free legal advice on housing, benefits and discrimination cases", (40_000, 62_000)),
    ],
    11: [
        RoleTemplate("Urban Planner for Sustainable Transport", "plan cycle lanes, bus rapid transit and walkable neighbourhoods", (55_000, 88_000)),
        RoleTemplate("Building Retrofit Project Manager", "manage deep energy retrofits of apartment blocks with heat pumps and insulation", (58_000, 92_000)),
        RoleTemplate("Urban Forestry Specialist", "plant and care for street trees that cool cities and absorb stormwater", (40_000, 64_000)),
        RoleTemplate("Smart City Data Analyst", "analyse mobility, air quality and energy data to improve city services", (60_000, 95_000)),
    ],
    12: [
        RoleTemplate("Circular Economy Analyst", "map material flows and design reuse, repair and recycling business models", (52_000, 84_000)),
        RoleTemplate("Recycling Facility Supervisor", "run sorting lines for plastics, paper and metals and improve recovery rates", (40_000, 62_000)),
        RoleTemplate("Sustainable Packaging Engineer", "replace single-use plastic packaging with compostable and reusable designs", (60_000, 95_000)),
        RoleTemplate("ESG Reporting Specialist", "prepare sustainability reports on emissions, waste and responsible sourcing", (55_000, 90_000)),
    ],
    13: [
        RoleTemplate("Carbon Accounting Analyst", "measure scope 1, 2 and 3 greenhouse gas emissions and set reduction targets", (55_000, 88_000)),
        RoleTemplate("Climate Risk Modeller", "model flood, heat and wildfire risk for insurers and city governments", (70_000, 115_000)),
        RoleTemplate("Climate Adaptation Planner", "plan sea walls, heat action plans and drought resilience for communities", (58_000, 92_000)),
        RoleTemplate("Climate Policy Advisor", "advise governments on carbon pricing and net-zero transition policy", (65_000, 105_000)),
    ],
    14: [
        RoleTemplate("Marine Biologist", "survey coral reefs, fish populations and seagrass to guide ocean conservation", (45_000, 75_000)),
        RoleTemplate("Sustainable Fisheries Officer", "monitor catches and enforce quotas that keep fish stocks healthy", (42_000, 66_000)),
        RoleTemplate("Ocean Plastic Cleanup Coordinator", "organise beach and river cleanups and track plastic leakage to the sea", (36_000, 56_000)),
        RoleTemplate("Coastal Ecosystem Restoration Scientist", "restore mangroves, salt marshes and oyster reefs that protect coastlines", (50_000, 82_000)),
    ],
    15: [
        RoleTemplate("Reforestation Project Manager", "plant native forests, run tree nurseries and verify carbon credits", (48_000, 78_000)),
        RoleTemplate("Wildlife Conservation Ranger", "protect endangered species, patrol reserves and work with local communities", (32_000, 50_000)),
        RoleTemplate("Soil Scientist", "sample and analyse soils to restore degraded land and store carbon", (50_000, 82_000)),
        RoleTemplate("Biodiversity Data Ecologist", "track species with camera traps, eDNA and satellite imagery", (52_000, 84_000)),
    ],
    16: [
        RoleTemplate("Anti-Corruption Compliance Officer", "build controls against bribery and fraud in public procurement", (55_000, 90_000)),
        RoleTemplate("Environmental Justice Lawyer", "represent communities harmed by pollution and illegal deforestation", (65_000, 110_000)),
        RoleTemplate("Open Government Data Specialist", "publish public spending and environmental data so citizens can hold institutions to account", (50_000, 80_000)),
        RoleTemplate("Peacebuilding Program Officer", "run dialogue and mediation programmes in communities affected by conflict over land and water", (45_000, 72_000)),
    ],
    17: [
        RoleTemplate("Climate Finance Partnerships Manager", "broker partnerships between development banks, investors and green projects", (75_000, 120_000)),
        RoleTemplate("SDG Impact Measurement Analyst", "measure and report the impact of programmes against the Sustainable Development Goals", (52_000, 84_000)),
        RoleTemplate("International Development Grant Writer", "write grant proposals that fund clean water, energy and education projects", (42_000, 66_000)),
        RoleTemplate("Multi-Stakeholder Program Coordinator", "coordinate governments, NGOs and companies working on shared sustainability goals", (48_000, 76_000)),
    ],
}  # fmt: skip

EMPLOYERS = [
    ("Northwind Renewables", "Builds and services onshore and offshore wind farms."),
    ("Helios Solar Cooperative", "Community-owned rooftop and utility solar."),
    ("BlueCurrent Water", "Drinking water, sanitation and wastewater utility."),
    ("Verdant Fields Agritech", "Regenerative agriculture and smallholder farm support."),
    ("CircularWorks", "Reuse, repair and recycling for manufacturers."),
    ("OpenHealth Alliance", "Community and digital health services."),
    ("LearnGreen Academy", "Green skills and climate education provider."),
    ("EquiBank Microfinance", "Inclusive banking and microloans."),
    ("UrbanRoots Planning", "Sustainable transport and urban greening consultancy."),
    ("TerraVerde Conservation Trust", "Forests, wildlife and soil restoration."),
    ("Oceanic Futures Institute", "Marine research and coastal restoration."),
    ("CarbonLedger Analytics", "Emissions accounting and climate risk analytics."),
    ("Civic Integrity Network", "Transparency, legal aid and open data."),
    ("Bridgeway Infrastructure", "Low-carbon engineering and broadband."),
    ("Common Ground Partnerships", "Convenes public, private and NGO partners for the SDGs."),
]

LOCATIONS = [
    "Copenhagen, Denmark", "Hamburg, Germany", "Rotterdam, Netherlands", "Glasgow, UK",
    "Lisbon, Portugal", "Nairobi, Kenya", "Cape Town, South Africa", "Bengaluru, India",
    "Pune, India", "Jakarta, Indonesia", "Manila, Philippines", "Sao Paulo, Brazil",
    "Bogota, Colombia", "Austin, TX, USA", "Denver, CO, USA", "Vancouver, Canada",
    "Melbourne, Australia", "Remote",
]  # fmt: skip

LEVELS = [("", 1.0), ("Senior ", 1.3), ("Junior ", 0.8), ("Lead ", 1.45), ("Trainee ", 0.7)]

CAREER_SKILLS: dict[int, list[str]] = {
    1: ["financial inclusion", "programme evaluation", "community engagement"],
    2: ["agronomy", "soil health", "supply chain logistics"],
    3: ["public health", "epidemiology", "patient care"],
    4: ["curriculum design", "teaching", "e-learning"],
    5: ["gender analysis", "policy", "advocacy"],
    6: ["water treatment", "hydrology", "sanitation engineering"],
    7: ["electrical systems", "wind and solar technology", "maintenance"],
    8: ["labour rights", "career coaching", "auditing"],
    9: ["civil engineering", "process engineering", "project management"],
    10: ["accessibility", "case management", "inclusive design"],
    11: ["urban planning", "GIS", "building retrofit"],
    12: ["life-cycle assessment", "recycling", "ESG reporting"],
    13: ["carbon accounting", "climate modelling", "policy analysis"],
    14: ["marine ecology", "fisheries science", "scuba diving"],
    15: ["forestry", "ecology", "remote sensing"],
    16: ["law", "compliance", "open data"],
    17: ["partnership building", "grant writing", "impact measurement"],
}


def build_employers() -> list[Employer]:
    return [Employer(name=name, description=text) for name, text in EMPLOYERS]


def employer_for(sdg: int, rng: random.Random) -> int:
    """Index into EMPLOYERS: the employer of the SDG's field (wind and solar share SDG 7)."""
    home = {1: 7, 2: 3, 3: 5, 4: 6, 5: 14, 6: 2, 7: 0, 8: 4, 9: 13, 10: 12,
            11: 8, 12: 4, 13: 11, 14: 10, 15: 9, 16: 12, 17: 14}  # fmt: skip
    if sdg == 7 and rng.random() < 0.4:
        return 1
    return home[sdg]


def build_jobs(*, per_sdg: int, seed: int, employer_ids: list[int]) -> list[Job]:
    rng = random.Random(seed)
    now = utcnow()
    rows: list[Job] = []
    for sdg in range(1, 18):
        roles = ROLES[sdg]
        for i in range(per_sdg):
            role = roles[i % len(roles)]
            prefix, factor = LEVELS[(i // len(roles)) % len(LEVELS)]
            employer_index = employer_for(sdg, rng)
            low = int(role.band[0] * factor / 1000) * 1000
            high = max(low + 4000, int(role.band[1] * factor / 1000) * 1000)
            location = rng.choice(LOCATIONS)
            description = (
                f"{EMPLOYERS[employer_index][0]} is hiring a {prefix.lower()}{role.title.lower()} "
                f"in {location}. You will {role.duties}. "
                f"This role advances SDG {sdg} ({SDG_NAMES[sdg]})."
            )
            rows.append(
                Job(
                    employer_id=employer_ids[employer_index],
                    title=f"{prefix}{role.title}",
                    description=description,
                    sdg_tag=sdg,
                    salary_min=low,
                    salary_max=high,
                    location=location,
                    created_at=now - timedelta(hours=rng.randrange(1, 24 * 60)),
                )
            )
    return rows


def build_careers() -> list[Career]:
    rows = []
    for sdg, roles in ROLES.items():
        for role in roles:
            rows.append(
                Career(
                    title=role.title,
                    description=(
                        f"A career path where you {role.duties}. "
                        f"Contributes to SDG {sdg} ({SDG_NAMES[sdg]})."
                    ),
                    sdg_tag=sdg,
                    skills=CAREER_SKILLS[sdg],
                )
            )
    return rows


def seed(*, session: Session, per_sdg: int, seed: int, accounts: bool) -> tuple[int, int]:
    """Insert employers, jobs, careers (and demo accounts); returns (jobs, careers)."""
    employers = build_employers()
    session.add_all(employers)
    session.flush()
    jobs = build_jobs(per_sdg=per_sdg, seed=seed, employer_ids=[e.id for e in employers])
    careers = build_careers()
    session.add_all(jobs)
    session.add_all(careers)
    session.flush()
    # Their embeddings are deferred work like any posted job's: in the same transaction.
    enqueue(session, "jobs", [job.id for job in jobs])
    enqueue(session, "careers", [career.id for career in careers])
    if accounts:
        by_name = {e.name: e.id for e in employers}
        for email, role, employer_name in DEMO_ACCOUNTS:
            create_user(
                session=session,
                email=email,
                password=DEMO_PASSWORD,
                role=role,
                employer_id=by_name[employer_name] if employer_name else None,
            )
    session.commit()
    return len(jobs), len(careers)


class SeedTarget(Protocol):
    """What seeding reads of the app's state (app/state.py's AppState, built above this
    floor). ``embedder`` is read only when embedding: loading the model may fail."""

    @property
    def settings(self) -> Settings: ...
    @property
    def database(self) -> Database: ...
    @property
    def embedder(self) -> TextEncoder: ...
    @property
    def job_index(self) -> JobIndex: ...
    @property
    def career_index(self) -> CareerIndex: ...


def seed_if_empty(*, state: SeedTarget, embed: bool = True) -> None:
    """Seed an empty database, then (``embed``) embed every job and career that lacks a
    vector for the configured model, in-process or through the AI service."""
    settings = state.settings
    database = state.database
    with database.write_session() as session:
        if session.scalar(select(func.count()).select_from(Job)) == 0:
            jobs, careers = seed(
                session=session,
                per_sdg=settings.demo_jobs_per_sdg,
                seed=settings.demo_seed,
                accounts=settings.is_local,
            )
            log.info("seeded demo data: %d jobs, %d careers", jobs, careers)
    if not embed:  # the outbox's rows: the worker embeds them
        return
    try:
        embedder = state.embedder
        for kind in ("jobs", "careers"):
            count = update_embeddings(
                open_session=database.write_session, embedder=embedder, kind=kind
            )
            if count:
                log.info("embedded %d %s with %s", count, kind, embedder.name)
    except (ModelUnavailable, AiServiceUnavailable) as error:
        log.error("demo data not embedded here (%s); the outbox keeps the work", error)
        return
    with database.write_session() as session:
        settle_embedded(session, embedder.name)
        session.commit()
    state.job_index.mark_changed()
    state.career_index.mark_changed()
