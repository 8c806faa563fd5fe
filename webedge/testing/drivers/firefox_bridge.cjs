// The Firefox side of webedge's harness: launched by webedge/testing/drivers/firefox.py as
//   node firefox_bridge.cjs <puppeteer-core folder> <firefox binary>
// it starts Firefox headless over WebDriver BiDi with a fresh profile (HTTP cache off, so only
// webedge's Cache API store can save a download), prints {"ready", "version"}, then answers one
// JSON line per request line: {"op": "run", url, script, args} opens a tab of that profile, goes
// to url and evaluates the async function `script` on `args`; {"op": "close"} ends it.
const puppeteer = require(process.argv[2]);
const readline = require('node:readline');

const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

async function main() {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.argv[3],
    headless: true,
    protocolTimeout: 0, // a run may compute for minutes; the Python side owns the time limit
    extraPrefsFirefox: {
      'browser.cache.disk.enable': false,
      'browser.cache.memory.enable': false,
      // WebGPU on whatever adapter the machine has; a software one (Mesa's lavapipe) is blocklisted
      // by default, and headless test machines have nothing else
      'dom.webgpu.enabled': true,
      'gfx.webgpu.ignore-blocklist': true,
    },
  });
  send({ ready: true, version: await browser.version() });
  for await (const line of readline.createInterface({ input: process.stdin })) {
    const msg = JSON.parse(line);
    if (msg.op === 'close') break;
    const page = await browser.newPage();
    const console = [];
    page.on('console', (m) => { if (['error', 'warn'].includes(m.type())) console.push(m.text()); });
    page.on('pageerror', (e) => console.push(String(e?.message ?? e)));
    try {
      await page.goto(msg.url);
      const result = await page.evaluate(`(${msg.script})(${JSON.stringify(msg.args)})`);
      if (result && typeof result === 'object') result.console = console.slice(-5);
      send({ result });
    } catch (err) {
      send({ error: String(err?.message ?? err).split('\n')[0] });
    } finally {
      await page.close();
    }
  }
  // Without an explicit exit this process outlived browser.close() (open handles) and the driver
  // waited out its limit on every check (measured with Firefox 153 ESR): bound the close, end
  // Firefox ourselves, and exit.
  await Promise.race([browser.close(), new Promise((resolve) => setTimeout(resolve, 2000))]);
  browser.process()?.kill('SIGKILL');
  process.exit(0);
}

main().catch((err) => {
  send({ fatal: String(err?.message ?? err).split('\n')[0] });
  process.exit(1);
});
