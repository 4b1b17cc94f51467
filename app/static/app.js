// Green Matchers front page: plain JS against the JSON API (same origin, cookie session).
"use strict";

const SDGS = ["No Poverty", "Zero Hunger", "Good Health and Well-being", "Quality Education",
  "Gender Equality", "Clean Water and Sanitation", "Affordable and Clean Energy",
  "Decent Work and Economic Growth", "Industry, Innovation and Infrastructure",
  "Reduced Inequalities", "Sustainable Cities and Communities",
  "Responsible Consumption and Production", "Climate Action", "Life Below Water",
  "Life on Land", "Peace, Justice and Strong Institutions", "Partnerships for the Goals"];
const PAGE = 10;
let me = null;
let skip = 0;

const $ = (id) => document.getElementById(id);
const status = (text) => { $("status").textContent = text; };

async function api(path, options = {}) {
  const response = await fetch(path, {
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    ...options,
  });
  let body = null;
  if (response.status !== 204) body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && body.detail;
    const message = Array.isArray(detail)
      ? detail.map((d) => `${d.loc[d.loc.length - 1]}: ${d.msg}`).join("; ")
      : detail || response.statusText;
    throw new Error(message);
  }
  return body;
}

function jobItem(job, score) {
  const li = document.createElement("li");
  li.className = "job";
  li.dataset.jobId = job.id;
  const title = document.createElement("strong");
  title.textContent = job.title;
  const sdg = document.createElement("span");
  sdg.className = "sdg";
  sdg.textContent = `SDG ${job.sdg_tag} ${SDGS[job.sdg_tag - 1]}`;
  const meta = document.createElement("div");
  meta.className = "meta";
  meta.textContent = `${job.employer.name} · ${job.location} · $${job.salary_min.toLocaleString()}-$${job.salary_max.toLocaleString()}`;
  const apply = document.createElement("button");
  apply.type = "button";
  apply.className = "apply";
  apply.textContent = "Apply";
  apply.addEventListener("click", () => applyTo(job, apply));
  if (score !== undefined) {
    const s = document.createElement("span");
    s.className = "score";
    s.textContent = `match ${(score * 100).toFixed(0)}%`;
    li.append(s);
  }
  li.append(title, " ", sdg, meta, apply);
  return li;
}

async function applyTo(job, button) {
  if (!me) { status("Sign in as a candidate to apply."); return; }
  try {
    await api(`/api/jobs/${job.id}/apply`, { method: "POST", body: "{}" });
    button.textContent = "Applied";
    button.disabled = true;
    status(`Applied to ${job.title}.`);
  } catch (error) {
    status(`Could not apply: ${error.message}`);
  }
}

async function search() {
  const params = new URLSearchParams({ skip, limit: PAGE });
  const text = $("search-text").value.trim();
  if (text) params.set("search", text);
  if ($("search-sdg").value) params.set("sdg_tag", $("search-sdg").value);
  try {
    const page = await api(`/api/jobs?${params}`);
    $("search-results").replaceChildren(...page.jobs.map((job) => jobItem(job)));
    const last = Math.min(page.skip + page.jobs.length, page.total);
    $("search-summary").textContent = page.total
      ? `${page.skip + 1}-${last} of ${page.total} jobs` : "No jobs found.";
    $("prev-page").disabled = page.skip === 0;
    $("next-page").disabled = last >= page.total;
  } catch (error) {
    status(`Search failed: ${error.message}`);
  }
}

async function match(event) {
  event.preventDefault();
  const text = $("match-text").value.trim();
  if (!text) { status("Write a sentence about the work you want."); return; }
  status("Matching...");
  try {
    const answer = await api("/api/match", { method: "POST", body: JSON.stringify({ text, limit: 10 }) });
    $("match-results").replaceChildren(...answer.results.map((r) => jobItem(r.job, r.score)));
    status(`${answer.results.length} matching jobs.`);
  } catch (error) {
    status(`Match failed: ${error.message}`);
  }
}

function showAccount() {
  $("whoami").textContent = me ? `Signed in as ${me.email} (${me.role})` : "Not signed in";
  $("login-form").hidden = Boolean(me);
  $("logout-button").hidden = !me;
}

async function login(event) {
  event.preventDefault();
  try {
    me = await api("/api/auth/login", { method: "POST", body: JSON.stringify(credentials()) });
    status("Signed in.");
  } catch (error) {
    status(`Sign-in failed: ${error.message}`);
  }
  showAccount();
}

function credentials() {
  return { email: $("login-email").value, password: $("login-password").value };
}

async function register() {
  try {
    await api("/api/auth/register", {
      method: "POST", body: JSON.stringify({ ...credentials(), role: "candidate" }),
    });
    await login(new Event("submit"));
  } catch (error) {
    status(`Registration failed: ${error.message}`);
  }
}

async function logout() {
  await api("/api/auth/logout", { method: "POST" }).catch(() => null);
  me = null;
  showAccount();
  status("Signed out.");
}

function init() {
  SDGS.forEach((name, i) => $("search-sdg").append(new Option(`${i + 1}. ${name}`, i + 1)));
  $("search-form").addEventListener("submit", (e) => { e.preventDefault(); skip = 0; search(); });
  $("prev-page").addEventListener("click", () => { skip = Math.max(0, skip - PAGE); search(); });
  $("next-page").addEventListener("click", () => { skip += PAGE; search(); });
  $("match-form").addEventListener("submit", match);
  $("login-form").addEventListener("submit", login);
  $("register-button").addEventListener("click", register);
  $("logout-button").addEventListener("click", logout);
  api("/api/auth/me").then((user) => { me = user; }).catch(() => { me = null; }).finally(showAccount);
  search();
}

init();
