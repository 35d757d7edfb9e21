// The StylePrompter web editor: upload → inversions → sliders → live previews → full render →
// downloads. Plain JavaScript, no build step, nothing loaded from elsewhere.
//
// While a slider moves, previews (reduced size) are requested at most one at a time, debounced;
// whatever changed while one was in flight is sent when it returns, so a fast drag never piles
// requests on the server. Releasing a slider asks for the full-size image.
"use strict";

const PREVIEW_DELAY_MS = 40;
const RETRY_DELAY_MS = 700;

const $ = (id) => document.getElementById(id);
const state = {
  config: null,
  session: null,       // {id, aligned, images}
  sliders: [],         // {id, input, output, neutral}
  previewTimer: null,
  previewInFlight: false,
  previewPending: false,
  generation: 0,       // bumped by every full render request: older answers are dropped
  fullAbort: null,
  lastFull: null,      // {key, blob}
  resultURL: null,
  pastedURL: null,
};

function setStatus(text, isError = false) {
  const status = $("status");
  status.textContent = text;
  status.classList.toggle("error", isError);
}

function setBusy(busy) {
  document.body.dataset.state = busy ? "working" : (state.session ? "ready" : "empty");
}

async function errorText(response) {
  try {
    const body = await response.json();
    if (body && body.error) return body.error;
  } catch (_) { /* not JSON */ }
  return `${response.status} ${response.statusText}`;
}

// ---- configuration and sliders ----

async function loadConfig() {
  const response = await fetch("/api/config");
  if (!response.ok) throw new Error(await errorText(response));
  const config = await response.json();
  state.config = config;
  const m = config.model;
  $("model-line").textContent =
    `model: ${m.size}-px StyleGAN2, ${m.latentCount} latents, ` +
    (m.hasSMART ? "SMART" : "no SMART (stage 1 only)") + `; previews at ${m.previewSize} px`;
  $("align-option").hidden = !m.canAlign;

  const betas = $("beta-sliders");
  addSlider(betas, { id: "beta1", label: "β₁ (values)", minimum: config.beta.minimum, maximum: config.beta.maximum,
                     step: config.beta.step }, config.beta.beta1);
  addSlider(betas, { id: "beta2", label: "β₂ (feed-forward)", minimum: config.beta.minimum, maximum: config.beta.maximum,
                     step: config.beta.step }, config.beta.beta2);
  const directions = $("direction-sliders");
  for (const slider of config.sliders) addSlider(directions, slider, 0);
  if (config.sliders.length === 0) {
    const note = document.createElement("p");
    note.textContent = "no edit directions: start the server with --directions, --ganspace or --sefa-count";
    directions.append(note);
  }
  document.body.dataset.state = "empty";
}

function addSlider(parent, slider, neutral) {
  const row = document.createElement("div");
  row.className = "slider";
  const label = document.createElement("label");
  const input = document.createElement("input");
  const output = document.createElement("output");
  input.type = "range";
  input.id = `slider-${slider.id}`;
  input.min = slider.minimum;
  input.max = slider.maximum;
  input.step = slider.step;
  input.value = neutral;
  input.dataset.slider = slider.id;
  label.htmlFor = input.id;
  label.textContent = slider.label;       // text, never markup: labels come from file names
  label.title = slider.label;
  output.textContent = Number(neutral).toFixed(2);
  input.addEventListener("input", () => {
    output.textContent = Number(input.value).toFixed(2);
    schedulePreview();
  });
  input.addEventListener("change", () => requestFull());
  row.append(label, input, output);
  parent.append(row);
  state.sliders.push({ id: slider.id, input, output, neutral });
}

function currentSettings() {
  const settings = { edits: {}, beta1: 1, beta2: 1 };
  for (const s of state.sliders) {
    const value = Number(s.input.value);
    if (s.id === "beta1" || s.id === "beta2") settings[s.id] = value;
    else if (value !== 0) settings.edits[s.id] = value;
  }
  return settings;
}

// ---- upload ----

async function upload(file) {
  if (!file) return;
  if (state.config && file.size > state.config.limits.maximumUploadBytes) {
    setStatus(`${file.name} is larger than the ${Math.round(state.config.limits.maximumUploadBytes / 1048576)} MiB accepted`, true);
    return;
  }
  const align = !$("align-option").hidden && $("align-input").checked;
  setBusy(true);
  setStatus(`inverting ${file.name}…`);
  try {
    if (state.session) {
      fetch(`/api/sessions/${state.session.id}`, { method: "DELETE" }).catch(() => {});
    }
    const response = await fetch(`/api/sessions${align ? "?align=1" : ""}`, {
      method: "POST",
      headers: { "Content-Type": file.type || "application/octet-stream" },
      body: file,
    });
    if (!response.ok) throw new Error(await errorText(response));
    const session = await response.json();
    state.session = session;
    state.lastFull = null;
    state.generation += 1;
    $("view-input").src = session.images.input;
    $("view-stage1").src = session.images.stage1;
    $("view-smart").src = session.images.smart;
    $("view-result").src = session.images.smart;
    $("view-result").dataset.kind = "inversion";
    $("result-kind").textContent = "(no edit yet)";
    $("pasted-figure").hidden = !session.aligned;
    $("views").hidden = false;
    $("controls").hidden = false;
    resetSliders();
    setStatus(`${file.name}: inverted. Move a slider to edit.`);
    if (session.aligned) requestFull();
  } catch (error) {
    setStatus(`upload failed: ${error.message}`, true);
  } finally {
    setBusy(false);
  }
}

function resetSliders() {
  for (const s of state.sliders) {
    const neutral = s.id === "beta1" ? state.config.beta.beta1 : s.id === "beta2" ? state.config.beta.beta2 : s.neutral;
    s.input.value = neutral;
    s.output.textContent = Number(neutral).toFixed(2);
  }
}

// ---- rendering ----

async function render(body, signal) {
  const response = await fetch(`/api/sessions/${state.session.id}/render`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    signal,
  });
  if (response.status === 404) {
    state.session = null;
    throw new Error("the session expired on the server: drop the photo again");
  }
  if (!response.ok) {
    const error = new Error(await errorText(response));
    error.status = response.status;
    throw error;
  }
  return response.blob();
}

function showResult(blob, kind) {
  const img = $("view-result");
  if (state.resultURL) URL.revokeObjectURL(state.resultURL);
  state.resultURL = URL.createObjectURL(blob);
  img.src = state.resultURL;
  img.dataset.kind = kind;
  if (kind === "preview") img.dataset.previews = String(Number(img.dataset.previews) + 1);
  else img.dataset.renders = String(Number(img.dataset.renders) + 1);
  $("result-kind").textContent = kind === "preview" ? `(preview, ${state.config.model.previewSize} px)` : `(${state.config.model.size} px)`;
}

function schedulePreview() {
  if (!state.session) return;
  clearTimeout(state.previewTimer);
  state.previewTimer = setTimeout(sendPreview, PREVIEW_DELAY_MS);
}

async function sendPreview() {
  if (!state.session) return;
  if (state.previewInFlight) {
    state.previewPending = true;
    return;
  }
  state.previewInFlight = true;
  state.previewPending = false;
  const generation = state.generation;
  try {
    const blob = await render({ ...currentSettings(), preview: true });
    // A full render asked for since supersedes this preview.
    if (generation === state.generation) showResult(blob, "preview");
  } catch (error) {
    if (error.status !== 429) setStatus(`preview failed: ${error.message}`, true);
  } finally {
    state.previewInFlight = false;
    if (state.previewPending && generation === state.generation) sendPreview();
  }
}

async function requestFull(attempt = 0) {
  if (!state.session) return;
  clearTimeout(state.previewTimer);
  state.previewPending = false;
  state.generation += 1;
  const generation = state.generation;
  if (state.fullAbort) state.fullAbort.abort();
  const abort = new AbortController();
  state.fullAbort = abort;
  const settings = currentSettings();
  try {
    const blob = await render({ ...settings, preview: false }, abort.signal);
    if (generation !== state.generation) return;
    state.lastFull = { key: JSON.stringify(settings), blob };
    showResult(blob, "full");
    setStatus("");
    if (state.session.aligned) {
      const pasted = await render({ ...settings, preview: false, view: "pasted" }, abort.signal);
      if (generation !== state.generation) return;
      if (state.pastedURL) URL.revokeObjectURL(state.pastedURL);
      state.pastedURL = URL.createObjectURL(pasted);
      $("view-pasted").src = state.pastedURL;
    }
  } catch (error) {
    if (error.name === "AbortError") return;
    if (error.status === 429 && attempt < 5 && generation === state.generation) {
      setStatus("the server is busy; retrying…");
      setTimeout(() => { if (generation === state.generation) requestFull(attempt + 1); }, RETRY_DELAY_MS);
      return;
    }
    setStatus(`render failed: ${error.message}`, true);
  }
}

// ---- downloads ----

function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

async function downloadPNG() {
  if (!state.session) return;
  const settings = currentSettings();
  const key = JSON.stringify(settings);
  try {
    const blob = state.lastFull && state.lastFull.key === key
      ? state.lastFull.blob
      : await render({ ...settings, preview: false });
    saveBlob(blob, "styleprompter-edit.png");
    setStatus("downloaded the PNG");
  } catch (error) {
    setStatus(`download failed: ${error.message}`, true);
  }
}

async function downloadLatents() {
  if (!state.session) return;
  try {
    const response = await fetch(`/api/sessions/${state.session.id}/latents`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(currentSettings()),
    });
    if (!response.ok) throw new Error(await errorText(response));
    saveBlob(await response.blob(), "styleprompter-latents.npy");
    setStatus("downloaded the latents (.npy, 1 × n_latent × 512 float32)");
  } catch (error) {
    setStatus(`download failed: ${error.message}`, true);
  }
}

// ---- wiring ----

function wire() {
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    const file = event.dataTransfer && event.dataTransfer.files[0];
    upload(file);
  });
  // A photo dropped beside the zone must not navigate away from the editor.
  window.addEventListener("dragover", (event) => event.preventDefault());
  window.addEventListener("drop", (event) => event.preventDefault());
  $("file-input").addEventListener("change", (event) => {
    upload(event.target.files[0]);
    event.target.value = "";
  });
  $("reset").addEventListener("click", () => {
    resetSliders();
    requestFull();
  });
  $("download-png").addEventListener("click", downloadPNG);
  $("download-latents").addEventListener("click", downloadLatents);
}

wire();
loadConfig().catch((error) => setStatus(`cannot load the editor's configuration: ${error.message}`, true));
