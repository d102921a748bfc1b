/// The preview's one page: HTML, CSS and script in one document, served from memory (nothing from the
/// internet, no other file). The script reads the token from the page's own address and sends it with every
/// request; the video is an `<img>` on `/video.mjpg` (every browser plays MJPEG without script); statistics
/// are polled from `/status` twice a second; controls are `POST /control` with one `--control` line as the body
/// (`prompt add TEXT`, `prompt remove TEXT`, `prompt set A;B`, `threshold 0.42`, `smooth 0.3`). Text from the run is shown
/// with `textContent`, never parsed as HTML.
///
/// Layout (fixed, so tests can find the video): the video fills a 480×360 box at (16, 56) of the window; the mask
/// view (`/mask.mjpg`, opened only while its box is ticked) the same size below it.
enum PreviewPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>clipseg live preview</title>
<style>
  body { margin: 0; background: #202124; color: #e8eaed; font: 14px/1.4 system-ui, sans-serif; }
  header { height: 40px; line-height: 40px; padding: 0 16px; background: #111; font-weight: 600; }
  #view { position: absolute; left: 16px; top: 56px; width: 480px; height: 360px; background: #000;
          object-fit: contain; }
  #mask { position: absolute; left: 16px; top: 432px; width: 480px; height: 360px; background: #000;
          object-fit: contain; }
  [hidden] { display: none; }
  #panel { position: absolute; left: 512px; top: 48px; right: 16px; }
  h2 { font-size: 14px; margin: 8px 0 4px; color: #9aa0a6; text-transform: uppercase; letter-spacing: .05em; }
  ul { list-style: none; padding: 0; margin: 0; }
  li { display: flex; justify-content: space-between; padding: 2px 0; }
  button { background: #3c4043; color: #e8eaed; border: 1px solid #5f6368; border-radius: 3px; cursor: pointer; }
  input[type=text] { width: 60%; background: #303134; color: #e8eaed; border: 1px solid #5f6368; }
  input[type=range] { width: 70%; }
  table { border-collapse: collapse; }
  td { padding: 1px 12px 1px 0; }
  td.value { text-align: right; font-variant-numeric: tabular-nums; }
  #reply { min-height: 1.4em; color: #fdd663; }
</style>
</head>
<body>
<header>clipseg — live preview</header>
<img id="view" alt="the segmented video">
<img id="mask" alt="the masks" hidden>
<section id="panel">
  <h2>Prompts</h2>
  <ul id="prompts"></ul>
  <form id="prompt-form">
    <input id="prompt-text" type="text" placeholder="a prompt, or A;B to set several" autocomplete="off">
    <button id="prompt-add" type="submit">Add</button>
    <button id="prompt-set" type="button">Set</button>
  </form>
  <label><input id="show-mask" type="checkbox"> show the masks below the video</label>
  <h2>Threshold <span id="threshold-value"></span></h2>
  <input id="threshold" type="range" min="0" max="1" step="0.01">
  <h2>Smoothing <span id="smoothing-value"></span></h2>
  <input id="smoothing" type="range" min="0.05" max="1" step="0.05" title="weight of the newest frame; 1 = off">
  <h2>Statistics</h2>
  <table>
    <tr><td>fps</td><td class="value" id="fps"></td></tr>
    <tr><td>fresh masks/s</td><td class="value" id="freshMasksPerSecond"></td></tr>
    <tr><td>latency p50 (ms)</td><td class="value" id="latencyP50Ms"></td></tr>
    <tr><td>latency p95 (ms)</td><td class="value" id="latencyP95Ms"></td></tr>
    <tr><td>dropped</td><td class="value" id="dropped"></td></tr>
    <tr><td>tokens recomputed (%)</td><td class="value" id="tokensRecomputedPercent"></td></tr>
    <tr><td>frames read</td><td class="value" id="framesRead"></td></tr>
    <tr><td>preview delay p50 (ms)</td><td class="value" id="delayP50Ms"></td></tr>
    <tr><td>JPEG encode p50 (ms)</td><td class="value" id="encodeP50Ms"></td></tr>
    <tr><td>viewers</td><td class="value" id="viewers"></td></tr>
  </table>
  <p id="reply"></p>
</section>
<script>
"use strict";
const token = new URLSearchParams(location.search).get("token") || "";
const query = token ? "?token=" + encodeURIComponent(token) : "";
const $ = (id) => document.getElementById(id);
const sliderBusy = { threshold: false, smoothing: false };

async function sendControl(line) {
  try {
    const response = await fetch("/control" + query, {
      method: "POST", headers: { "Content-Type": "text/plain; charset=utf-8" }, body: line });
    const reply = await response.json();
    $("reply").textContent = reply.message;
  } catch (error) {
    $("reply").textContent = "control failed: " + error;
  }
  refresh();
}

function showPrompts(prompts) {
  const list = $("prompts");
  list.replaceChildren(...prompts.map((prompt) => {
    const item = document.createElement("li");
    const name = document.createElement("span");
    name.textContent = prompt;
    const remove = document.createElement("button");
    remove.textContent = "Remove";
    remove.addEventListener("click", () => sendControl("prompt remove " + prompt));
    item.append(name, remove);
    return item;
  }));
}

function show(id, value) { $(id).textContent = value === null || value === undefined ? "–" : String(value); }

async function refresh() {
  try {
    const response = await fetch("/status" + query, { cache: "no-store" });
    if (!response.ok) return;
    const status = await response.json();
    for (const key of ["fps", "freshMasksPerSecond", "latencyP50Ms", "latencyP95Ms", "dropped",
                       "tokensRecomputedPercent", "framesRead"]) show(key, status.run[key]);
    show("delayP50Ms", status.preview.delayP50Ms);
    show("encodeP50Ms", status.preview.encodeP50Ms);
    show("viewers", status.preview.viewers);
    showPrompts(status.run.prompts);
    for (const key of ["threshold", "smoothing"]) {
      if (!sliderBusy[key]) {
        $(key).value = status.run[key];
        showSlider(key);
      }
    }
  } catch (error) {
    $("reply").textContent = "the run has ended";
  }
}

$("prompt-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("prompt-text").value.trim();
  if (text) sendControl("prompt add " + text);
  $("prompt-text").value = "";
});
$("prompt-set").addEventListener("click", () => {
  const text = $("prompt-text").value.trim();
  if (text) sendControl("prompt set " + text);
  $("prompt-text").value = "";
});
function showSlider(key) {
  const value = Number($(key).value);
  show(key + "-value", key === "smoothing" && value >= 1 ? "off" : value.toFixed(2));
}
for (const [key, command] of [["threshold", "threshold "], ["smoothing", "smooth "]]) {
  $(key).addEventListener("input", () => {
    sliderBusy[key] = true;
    showSlider(key);
  });
  $(key).addEventListener("change", () => {
    sliderBusy[key] = false;
    sendControl(command + $(key).value);
  });
}
$("show-mask").addEventListener("change", () => {
  const mask = $("mask");
  if ($("show-mask").checked) {
    mask.src = "/mask.mjpg" + query;
  } else {
    mask.removeAttribute("src");
  }
  mask.hidden = !$("show-mask").checked;
});
$("view").src = "/video.mjpg" + query;
refresh();
setInterval(refresh, 500);
</script>
</body>
</html>
"""#
}
