// Plays a manifest in headless Chromium with a web player and prints one JSON line of what
// the player saw.
//
//   node run.mjs --player shaka|hls|dash --url URL [--until loaded|end] [--timeout S]
//                [--rate R] [--config JSON] [--start S] [--eval JS]
//   node run.mjs --page URL [--until loaded|end] [--timeout S] [--eval JS]
//
// The page (player.html) and the players (node_modules) are served from this folder on a
// loopback port. --page opens another page instead (a package's own player page, which
// keeps its player in window.player and plays in <video id="video">): the same report is
// gathered by listeners added before its scripts run; its console errors count as errors.
// --eval runs an async function body in the page once it has loaded, with `player` and
// `video` in scope; its result is the report's "eval" field. --start: Shaka Player loads at
// that time (for a live stream: from there rather than the live edge); the report's "live"
// says whether Shaka took the stream for live when it loaded it.
import { chromium } from "playwright-core";
import { createReadStream, existsSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, []),
);
const until = args.until || "end";
const timeout = parseFloat(args.timeout || "120") * 1000;
const types = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript" };

const server = createServer((request, response) => {
  const path = normalize(join(here, decodeURIComponent(new URL(request.url, "http://x").pathname)));
  if (!path.startsWith(here) || !existsSync(path) || !statSync(path).isFile()) {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "Content-Type": types[extname(path)] || "application/octet-stream" });
  createReadStream(path).pipe(response);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));

const browser = await chromium.launch({
  executablePath: process.env.VIEWRA_CHROMIUM || "/usr/bin/chromium",
  headless: true,
  // This machine's network is closed: no background connections, no QUIC, no updates.
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--autoplay-policy=no-user-gesture-required", "--mute-audio"],
});
let report = { errors: ["the page did not start"] };
try {
  const page = await browser.newPage();
  const console_lines = [];
  page.on("console", (message) => {
    if (message.type() === "error") console_lines.push(message.text());
  });
  if (args.page) {
    page.on("console", (message) => {
      const text = message.text();  // what the page itself reports (not a missing favicon)
      if (message.type() === "error" && text.startsWith("player page:")) {
        page.evaluate((t) => window.report.errors.push(t), text).catch(() => {});
      }
    });
    await page.addInitScript(() => {
      window.report = { loaded: false, ended: false, errors: [], times: [], waits: 0 };
      const on = (type, handler) => document.addEventListener(type, handler, true);  // media events do not bubble
      on("timeupdate", (e) => window.report.times.push(e.target.currentTime));
      on("waiting", () => { window.report.waits += 1; });
      on("ended", () => { window.report.ended = true; });
      on("loadeddata", () => { window.report.loaded = true; });
      on("error", (e) => {
        if (e.target instanceof HTMLMediaElement) window.report.errors.push("video: " + (e.target.error && e.target.error.message));
      });
    });
    await page.goto(args.page);
  } else {
    const query = new URLSearchParams({
      player: args.player, url: args.url, rate: args.rate || "1", config: args.config || "{}",
      ...(args.start !== undefined ? { start: args.start } : {}),
    });
    await page.goto(`http://127.0.0.1:${server.address().port}/player.html?${query}`);
  }
  const started = Date.now();
  const done = until === "loaded" ? "window.report.loaded" : "window.report.ended";
  await page.waitForFunction(`${done} || window.report.errors.length > 0`, null, { timeout })
    .catch(() => {});
  if (args.eval) {
    await page.waitForFunction("window.report.loaded", null, { timeout: 1000 }).catch(() => {});
    const result = await page.evaluate(
      `(async (player, video) => { ${args.eval} })(window.player, document.getElementById("video"))`,
    ).catch((e) => ({ evalError: String(e) }));
    await page.evaluate((r) => { window.report.eval = r; }, result);
  }
  report = await page.evaluate(() => {
    const video = document.getElementById("video");
    const times = window.report.times;
    return { ...window.report, times: undefined, duration: video.duration,
      currentTime: video.currentTime, maxTime: times.length ? Math.max(...times) : 0,
      minTime: times.length ? Math.min(...times) : 0,
      backwards: times.filter((t, i) => i > 0 && t < times[i - 1] - 0.01).length };
  });
  report.seconds = (Date.now() - started) / 1000;
  report.console = console_lines.slice(-10);
} finally {
  await browser.close();
  server.close();
}
console.log(JSON.stringify(report));
