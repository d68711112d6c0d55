// test.mjs — `otp-advisor mcp` driven by the official MCP clients, pinned in package.json:
// @modelcontextprotocol/sdk 1.x (Client + StdioClientTransport, revision 2025-11-25) and the
// 2.x @modelcontextprotocol/client (its default, legacy negotiation, and pinned to
// 2026-07-28), every structuredContent validated against its tool's outputSchema with Ajv
// (draft-07 and 2020-12, as the two clients read schemas). Raw bad requests are written to
// the server's stdin by hand (no client sends them). Run by tests/integration/t_mcp.sh,
// which starts the nodes; prints "ok DESC" / "not ok DESC" lines (and "# ..." notes).
//
//   node test.mjs PHASE...   phases: sdk1 clean corpus kill sdk2 modern raw measure
//
// Environment: OA (the binary), TOP, ERL_CALL; ZOO_NODE/ZOO_COOKIE/ZOO_DIR, CLEAN_*,
// CORPUS_* (node name, cookie file, fixture directory); MCP_STARTED (a file: the directory
// of every node this script starts, for the test to stop); MEASURE_FROM (measure: a file);
// MCP_ANSWER_MS (how long the raw client waits for one answer of a live server, 30000).
//
// A server that exits or closes its output fails every pending and later request at once
// (the raw client's next(); the SDK clients see their transport close), so a program that
// does nothing (tests/integration/nothing.sh) fails each check in well under a second.
// "honest ok DESC" marks a check that reads only an exit status, which such a program
// rightly passes (lib.sh's honest).
import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, statSync, unlinkSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import { Client as Client1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport as Stdio1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as Client2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as Stdio2 } from '@modelcontextprotocol/client/stdio';

const env = process.env;
const OA = env.OA, TOP = env.TOP;
const TMP = mkdtempSync(join(tmpdir(), 'oa-mcp-'));
let failed = 0;
const ok = (d) => console.log(`ok ${d}`);
const notOk = (d, detail) => {
  failed++;
  console.log(`not ok ${d}`);
  if (detail) console.log(String(detail).split('\n').slice(0, 30).map((l) => `  ${l}`).join('\n'));
};
const check = (d, cond, detail) => (cond ? ok(d) : notOk(d, detail));
const checkHonest = (d, cond, detail) => (cond ? console.log(`honest ok ${d}`) : notOk(d, detail));
const note = (s) => console.log(`# ${s}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ANSWER_MS = Number(env.MCP_ANSWER_MS) || 30000;

// ---- validators: one per tool and dialect -------------------------------------------------

const ajv7 = new Ajv({ strict: true, allErrors: true });
const ajv20 = new Ajv2020({ strict: true, allErrors: true });
let validators = null;

function compileTools(tools, label) {
  const v = {};
  for (const t of tools) {
    for (const [dialect, ajv] of [['draft-07', ajv7], ['2020-12', ajv20]]) {
      try {
        ajv.compile(t.inputSchema);
        if (t.outputSchema) v[`${t.name} ${dialect}`] = ajv.compile(t.outputSchema);
      } catch (e) {
        notOk(`${label}: ${t.name}'s schemas compile under ${dialect}`, e.message);
      }
    }
  }
  return v;
}

function validate(label, tool, result) {
  if (result.isError) return check(`${label}: ${tool} isError carries no structuredContent`, !result.structuredContent);
  const sc = result.structuredContent;
  if (!sc) return notOk(`${label}: ${tool} returns structuredContent`);
  const errs = [];
  for (const dialect of ['draft-07', '2020-12']) {
    const f = validators[`${tool} ${dialect}`];
    if (!f) errs.push(`no validator for ${tool}`);
    else if (!f(sc)) errs.push(`${dialect}: ${JSON.stringify(f.errors).slice(0, 600)}`);
  }
  const text = result.content && result.content[0] && result.content[0].text;
  if (typeof text !== 'string' || !text.length) errs.push('no text content');
  check(`${label}: ${tool} valid against its outputSchema (both dialects), with a text`, !errs.length, errs.join('\n'));
}

// ---- the clients --------------------------------------------------------------------------

function serverArgs(fx, extra = []) {
  const a = ['mcp'];
  if (fx) a.push(env[`${fx}_NODE`], '--cookie-file', env[`${fx}_COOKIE`]);
  return a.concat(extra);
}

// one interface over both SDKs: call(name, args, opts) → result; ping(); close()
async function open(kind, args, label) {
  const stderr = [];
  const common = { command: OA, args, env: { ...env }, stderr: 'pipe' };
  let client, transport;
  if (kind === 'sdk1') {
    transport = new Stdio1(common);
    client = new Client1({ name: 'otp-advisor-test-sdk1', version: '1.0.0' });
  } else {
    transport = new Stdio2(common);
    const opts = kind === 'modern' ? { versionNegotiation: { mode: { pin: '2026-07-28' } } } : {};
    client = new Client2({ name: 'otp-advisor-test-sdk2', version: '2.0.0' }, opts);
  }
  const t0 = Date.now();
  await client.connect(transport);
  // a server that closes its output but stays up gives no more answers: close the transport,
  // which fails the pending requests at once (both transports keep the child in _process and
  // close only when it exits; without it the calls would wait for their timeout)
  const out = transport._process && transport._process.stdout;
  if (out) {
    if (out.readableEnded) await transport.close();
    else out.on('end', () => transport.close().catch(() => {}));
  }
  if (transport.stderr) transport.stderr.on('data', (d) => stderr.push(String(d)));
  note(`${label}: connected in ${Date.now() - t0} ms`);
  return {
    kind,
    client,
    stderr,
    async call(name, a = {}, o = {}) {
      const params = { name, arguments: a };
      return kind === 'sdk1' ? client.callTool(params, undefined, o) : client.callTool(params, o);
    },
    async tools() {
      return (await client.listTools()).tools;
    },
    async close() {
      await client.close();
    },
  };
}

// ---- every tool on a node -----------------------------------------------------------------

// calls every tool on the session's node (its snapshot), validating each result; returns
// [{tool, ms, bytes}] for the closing note
async function everyTool(c, label, targets) {
  const rows = [];
  const snapFile = join(TMP, `${label.replace(/\W+/g, '_')}.etf`);
  const calls = [
    ['summary', {}],
    ['nodes', {}],
    ['summary', { node: targets.node }],
    ['apps', {}],
    ['findings', {}],
    ['findings', { severity: 'warning', limit: 3 }],
    ['context', { target: targets.context }],
    ['context', { target: targets.app }],
    ['report', { target: targets.app }],
    ['tree', {}],
    ['tree', { target: targets.app, depth: 1 }],
    ['top', { n: 10 }],
    ['top', { sort: 'mem', n: 3, offset: 3 }],
    ['info', { target: targets.info }],
    ['registry', {}],
    ['ets', { limit: 10 }],
    ['ets', { sort: 'size', limit: 2, offset: 2 }],
    ['explain', { rule: 'global-bottleneck' }],
    ['explain', {}],
    ['snapshot', { window_s: 0.5 }],
    ['save_snapshot', { path: snapFile }],
    ['load_snapshot', { path: snapFile }],
    ['summary', {}],
    ['connect', { node: targets.node, window_s: 0.5 }],
    ['diff', { path: snapFile }],
  ];
  const results = {};
  for (const [tool, a] of calls) {
    const t0 = Date.now();
    let r;
    try {
      r = await c.call(tool, a);
    } catch (e) {
      notOk(`${label}: ${tool} ${JSON.stringify(a)} answers`, `${e.constructor.name} ${e.code} ${e.message}\n${c.stderr.join('').slice(-2000)}`);
      continue;
    }
    const ms = Date.now() - t0;
    rows.push({ tool, args: a, ms, bytes: JSON.stringify(r).length });
    if (r.isError) notOk(`${label}: ${tool} ${JSON.stringify(a)} succeeds`, r.content[0].text);
    validate(label, tool, r);
    results[`${tool} ${JSON.stringify(a)}`] = r;
  }
  try {
    unlinkSync(snapFile);
  } catch {}
  // every tool the server lists answered at least once without an error
  const listed = (await c.tools()).map((t) => t.name);
  const answered = new Set(rows.filter((x) => !results[`${x.tool} ${JSON.stringify(x.args)}`]?.isError).map((x) => x.tool));
  const missing = listed.filter((n) => !answered.has(n));
  check(`${label}: every listed tool answered (${answered.size} of ${listed.length})`, listed.length > 0 && missing.length === 0,
        missing.join(', '));
  return { rows, results };
}

function harnessReport(fx) {
  const dir = env[`${fx}_DIR`];
  const node = readFileSync(join(dir, 'node'), 'utf8').trim();
  try {
    return execFileSync(env.ERL_CALL, ['-sname', node, '-e'], { input: 'oa_harness:report().\n', env: { ...env, HOME: dir }, timeout: 60000 })
      .toString()
      .replace(/^\{ok, *"/, '')
      .replace(/"\}\s*$/, '');
  } catch (e) {
    return `erl_call failed: ${e.message}`;
  }
}

function probeGone(fx, label) {
  const r = harnessReport(fx);
  // reads the node only (the safety harness, as lib.sh's safety checks): honest
  checkHonest(`${label}: the probe was removed and nothing of ours is left on ${fx.toLowerCase()}`, /probes=0 left=0/.test(r), r);
}

// ---- phases -------------------------------------------------------------------------------

const phases = {};

// SDK 1.x on the zoo: the tool list, every tool, what the answers say, errors, progress, cancel
phases.sdk1 = async () => {
  const L = 'sdk1 zoo';
  const c = await open('sdk1', serverArgs('ZOO', ['--source-root', join(TOP, 'tests/fixtures/zoo')]), L);
  check(`${L}: serverInfo names otp-advisor`, c.client.getServerVersion().name === 'otp-advisor');
  check(`${L}: capabilities declare tools`, !!c.client.getServerCapabilities().tools);
  check(`${L}: instructions say where to start`, /summary/.test(c.client.getInstructions() || ''));
  const tools = await c.tools();
  validators = compileTools(tools, L);
  check(`${L}: 17 tools, each with an input and an output schema and a description`, tools.length === 17 &&
    tools.every((t) => t.inputSchema.type === 'object' && t.outputSchema && t.outputSchema.type === 'object' && t.description.length > 80),
    tools.map((t) => t.name).join(' '));
  check(`${L}: every tool but save_snapshot is read-only`, tools.every((t) => t.annotations.readOnlyHint === (t.name !== 'save_snapshot')));
  const { results } = await everyTool(c, L, { context: 'Zoo.GlobalBottleneck', app: 'zoo', info: 'Zoo.Sessions', node: env.ZOO_NODE });
  const f = results['findings {}'];
  if (f) {
    const items = f.structuredContent.items;
    const gb = items.find((x) => x.rule === 'global-bottleneck');
    check(`${L}: findings name global-bottleneck on Zoo.GlobalBottleneck`, gb && gb.subject.name === 'Zoo.GlobalBottleneck', JSON.stringify(items.map((x) => x.rule)));
    check(`${L}: ... with its source file, relative to --source-root`, gb && gb.subject.source === 'lib/global_bottleneck.ex', gb && JSON.stringify(gb.subject));
    check(`${L}: ... and in the text`, /code: lib\/global_bottleneck\.ex/.test(f.content[0].text));
    check(`${L}: no runtime code is given a source`, items.every((x) => !x.subject.source || !/\/lib\/(elixir|stdlib|kernel)\//.test(x.subject.source)));
  }
  const ctx = results['context {"target":"Zoo.GlobalBottleneck"}'];
  if (ctx) {
    const s = ctx.structuredContent;
    check(`${L}: context answers the four questions for Zoo.GlobalBottleneck`, s.answers.concurrency.answer === true && s.answers.shared_state.answer === true && s.process_needed === true, JSON.stringify(s.answers).slice(0, 400));
    check(`${L}: ... naming the process behind them with its numbers`, s.answers.concurrency.processes.some((p) => p.name === 'Zoo.GlobalBottleneck' && p.reds_per_s > 0 && p.callers_waiting > 0));
  }
  const rep = results['report {"target":"zoo"}'];
  if (rep) check(`${L}: report gives the markdown and its JSON`, /BEAM Architecture Context/.test(rep.structuredContent.markdown) && rep.structuredContent.report.schema === 'otp-advisor/report/2');
  // a module no process runs, one many processes run, paging
  let r = await c.call('context', { target: 'Zoo.NoSuchModule' });
  validate(L, 'context', r);
  check(`${L}: context of a module no process runs: no process, plain functions`, !r.isError && r.structuredContent.resolved.kind === 'no_process' && r.structuredContent.process_needed === false && /no process: plain functions/.test(r.content[0].text), r.content[0].text);
  r = await c.call('context', { target: 'Zoo.Session' });
  validate(L, 'context', r);
  check(`${L}: context of a module resolves it to the processes that run it`, !r.isError && r.structuredContent.resolved.kind === 'module' && r.structuredContent.runs_in.total > 100, r.content[0].text.slice(0, 300));
  r = await c.call('tree', { target: 'Zoo.Sessions' });
  validate(L, 'tree', r);
  check(`${L}: a dynamic supervisor's children are one node per module`, r.structuredContent.nodes.some((n) => n.type === 'group' && n.group.count > 1000));
  r = await c.call('tree', { target: 'Zoo.Sessions', offset: 0, limit: 11 });
  validate(L, 'tree', r);
  const pg = r.structuredContent.page;
  check(`${L}: ... listed one by one with offset, paged`, pg && pg.returned === 10 && pg.next_offset === 10 && pg.total > 1000 && r.structuredContent.nodes.length === 11, JSON.stringify(pg));
  r = await c.call('tree', { target: 'Zoo.Sessions', offset: 10, limit: 11 });
  check(`${L}: ... the next page starts where the last ended`, r.structuredContent.page.offset === 10 && r.structuredContent.page.next_offset === 20);
  r = await c.call('top', { sort: 'rate', n: 2 });
  const r2 = await c.call('top', { sort: 'rate', n: 1, offset: 1 });
  check(`${L}: top pages agree (rank 2 of n=2 is rank 2 of offset=1)`, r.structuredContent.rows[1].pid === r2.structuredContent.rows[0].pid && r2.structuredContent.rows[0].rank === 2);
  r = await c.call('registry', { name: 'Zoo.Registry', limit: 5 });
  validate(L, 'registry', r);
  check(`${L}: a Registry's keys are paged`, r.structuredContent.keys.length === 5 && r.structuredContent.page.next_offset === 5);
  r = await c.call('findings', { rule: 'registry-single-partition' });
  validate(L, 'findings', r);
  check(`${L}: findings of one rule`, r.structuredContent.items.length >= 1 && r.structuredContent.items.every((x) => x.rule === 'registry-single-partition'));
  r = await c.call('explain', { rule: 'thresholds' });
  validate(L, 'explain', r);
  check(`${L}: explain thresholds lists them with their values`, r.structuredContent.thresholds.length > 10 && r.structuredContent.rules.length === 0);
  // a tool error: isError with the CLI's one-line message, the server stays up
  r = await c.call('info', { target: 'NoSuch.Process' });
  check(`${L}: info of an unknown target is a tool error with one line`, r.isError && !r.content[0].text.includes('\n') && /NoSuch\.Process/.test(r.content[0].text), r.content[0].text);
  r = await c.call('load_snapshot', { path: '/nonexistent/x.etf' });
  check(`${L}: load_snapshot of a missing file is a tool error`, r.isError && /cannot open/.test(r.content[0].text), r.content[0].text);
  // protocol errors: unknown tool, wrong types, a value outside the schema
  for (const [d, tool, a] of [
    ['an unknown tool', 'nope', {}],
    ['a wrong argument type', 'top', { n: 'five' }],
    ['an integer out of range', 'top', { n: 100000 }],
    ['a value outside the enum', 'findings', { severity: 'fatal' }],
    ['an argument the tool does not take', 'summary', { cookie: 'x' }],
    ['a missing required argument', 'info', {}],
  ]) {
    try {
      await c.call(tool, a);
      notOk(`${L}: ${d} is a protocol error`);
    } catch (e) {
      check(`${L}: ${d} is a protocol error (-32602)`, e.code === -32602, `${e.code} ${e.message}`);
    }
  }
  r = await c.call('summary', {});
  check(`${L}: the server answers after the errors`, !r.isError);
  // progress, then cancel a collection midway: the probe is removed, the next call works
  const seen = [];
  r = await c.call('snapshot', { window_s: 1 }, { onprogress: (p) => seen.push(p), resetTimeoutOnProgress: true });
  validate(L, 'snapshot', r);
  check(`${L}: a collection sends notifications/progress, increasing, with a message`, seen.length >= 3 && seen.every((p, i) => !i || p.progress > seen[i - 1].progress) && seen.every((p) => p.total === 100 && p.message), JSON.stringify(seen));
  const ac = new AbortController();
  let phaseSeen = '';
  const pending = c.call('snapshot', { window_s: 8 }, {
    signal: ac.signal,
    onprogress: (p) => {
      if (/window/.test(p.message) && !phaseSeen) {
        phaseSeen = p.message;
        ac.abort('user cancel');
      }
    },
  });
  const t0 = Date.now();
  try {
    await pending;
    notOk(`${L}: a cancelled collection rejects`);
  } catch (e) {
    check(`${L}: cancelled inside the window (${phaseSeen})`, !!phaseSeen, `${e.message}`);
  }
  await sleep(1500); // the server stops the collector and removes the probe
  probeGone('ZOO', L);
  r = await c.call('summary', {});
  check(`${L}: after the cancel the previous snapshot answers`, !r.isError);
  r = await c.call('snapshot', { window_s: 0 });
  check(`${L}: ... and a new collection works`, !r.isError && Date.now() - t0 < 60000, r.content[0].text);
  validate(L, 'snapshot', r);
  // connect again at once, same node, same name: the node has let the last connection go
  r = await c.call('connect', { node: env.ZOO_NODE, window_s: 0 });
  check(`${L}: connect right after a collection (the node saw the old connection close)`, !r.isError, r.content[0].text);
  await c.close();
  await sleep(500);
  probeGone('ZOO', `${L} closed`);
};

// the clean node and a corpus system: every tool, with each client (1.x, 2.x by default, 2.x
// pinned to 2026-07-28)
const KINDS = [['sdk1', 'sdk1'], ['sdk2', 'sdk2'], ['modern', 'sdk2 2026-07-28']];
phases.clean = async () => {
  for (const [kind, name] of KINDS) {
    const L = `${name} clean`;
    const c = await open(kind, serverArgs('CLEAN'), L);
    validators = compileTools(await c.tools(), L);
    await everyTool(c, L, { context: 'Clean.Cache', app: 'clean', info: 'Clean.Cache', node: env.CLEAN_NODE });
    await c.close();
  }
};
phases.corpus = async () => {
  for (const [kind, name] of KINDS) {
    const L = `${name} corpus_pool`;
    const c = await open(kind, serverArgs('CORPUS'), L);
    validators = compileTools(await c.tools(), L);
    await everyTool(c, L, { context: 'poolboy', app: 'corpus_pool', info: 'corpus_pool_sup', node: env.CORPUS_NODE });
    await c.close();
  }
  await sleep(500);
  probeGone('CORPUS', 'corpus_pool, every client');
};

// the node dies between two calls: isError, ping answers, connect to the node restarted works
phases.kill = async () => {
  const L = 'sdk1 kill';
  const c = await open('sdk1', serverArgs('CLEAN'), L);
  validators = compileTools(await c.tools(), L);
  let r = await c.call('summary', {});
  check(`${L}: summary before`, !r.isError, r.content[0].text);
  const pid = Number(readFileSync(join(env.CLEAN_DIR, 'pid'), 'utf8'));
  process.kill(pid, 'SIGKILL');
  await sleep(1000);
  r = await c.call('snapshot', { window_s: 0 });
  check(`${L}: a snapshot of the killed node is a tool error with one line`, r.isError && !r.content[0].text.includes('\n') && /unreachable|lost|not registered|refused|cannot/.test(r.content[0].text), r.content[0].text);
  try {
    await c.client.ping();
    ok(`${L}: ping answers after the failed call`);
  } catch (e) {
    notOk(`${L}: ping answers after the failed call`, e.message);
  }
  r = await c.call('summary', {});
  check(`${L}: the snapshot taken before still answers`, !r.isError);
  const name = env.CLEAN_NODE.replace(/@.*/, '');
  const cookie = readFileSync(env.CLEAN_COOKIE, 'utf8');
  const out = execFileSync(join(TOP, 'scripts/fixture.sh'), ['start', 'clean', name], { env: { ...env, FIXTURE_COOKIE: cookie } }).toString();
  const dir = /^DIR=(.*)$/m.exec(out)[1];
  appendFileSync(env.MCP_STARTED, `${dir}\n`);
  r = await c.call('connect', { node: env.CLEAN_NODE, window_s: 0 });
  check(`${L}: connect to the restarted node works`, !r.isError, r.content[0].text);
  validate(L, 'connect', r);
  await c.close();
};

// the 2.x client: its default (legacy 2025-11-25) negotiation, every tool on the zoo
phases.sdk2 = async () => {
  const L = 'sdk2 zoo';
  const c = await open('sdk2', serverArgs('ZOO'), L);
  check(`${L}: the default negotiation is legacy (2025-11-25)`, c.client.getProtocolEra() === 'legacy', c.client.getProtocolEra());
  validators = compileTools(await c.tools(), L);
  await everyTool(c, L, { context: 'Zoo.Cache', app: 'zoo', info: 'Zoo.GlobalBottleneck', node: env.ZOO_NODE });
  await c.close();
};

// the 2.x client pinned to 2026-07-28: server/discover in a throw-away copy, then stateless
// requests with their _meta; every tool, progress, cancel
phases.modern = async () => {
  const L = 'sdk2 2026-07-28 zoo';
  const c = await open('modern', serverArgs('ZOO'), L);
  check(`${L}: the era is modern`, c.client.getProtocolEra() === 'modern', c.client.getProtocolEra());
  check(`${L}: serverInfo from the envelope`, (c.client.getServerVersion() || {}).name === 'otp-advisor');
  const tools = await c.tools();
  validators = compileTools(tools, L);
  check(`${L}: 17 tools listed`, tools.length === 17);
  await everyTool(c, L, { context: 'Zoo.AgentUnderLoad', app: 'zoo', info: 'Zoo.Registry', node: env.ZOO_NODE });
  try {
    await c.call('nope', {});
    notOk(`${L}: an unknown tool is a protocol error`);
  } catch (e) {
    check(`${L}: an unknown tool is a protocol error (-32602)`, e.code === -32602, `${e.code} ${e.message}`);
  }
  const seen = [];
  let r = await c.call('snapshot', { window_s: 1 }, { onprogress: (p) => seen.push(p) });
  check(`${L}: progress during a collection`, !r.isError && seen.length >= 2, JSON.stringify(seen));
  const ac = new AbortController();
  let cut = false;
  const pending = c.call('snapshot', { window_s: 8 }, { signal: ac.signal, onprogress: (p) => { if (/window/.test(p.message) && !cut) { cut = true; ac.abort('user cancel'); } } });
  try {
    await pending;
    notOk(`${L}: a cancelled collection rejects`);
  } catch {
    check(`${L}: cancelled inside the window`, cut);
  }
  await sleep(1500);
  probeGone('ZOO', L);
  r = await c.call('summary', {});
  check(`${L}: the next call works`, !r.isError);
  await c.close();
};

// ---- raw bad requests ---------------------------------------------------------------------

// the server's answers, line by line. Once it has closed its output (or exited: its output
// is given a second to end), next() rejects at once, pending and later calls alike; a live
// server is given ANSWER_MS for each answer.
function rawServer(args) {
  const p = spawn(OA, args, { env: { ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = '';
  const lines = [];
  const waiters = [];
  let stderr = '';
  let gone = null; // why no answer can come any more
  const end = (why) => {
    if (gone) return;
    gone = why + (buf ? ` (an unfinished line: ${buf.slice(0, 200)})` : '');
    while (waiters.length) waiters.shift().rej(new Error(gone));
  };
  p.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const l = buf.slice(0, i);
      buf = buf.slice(i + 1);
      lines.push(l);
      while (waiters.length && lines.length) waiters.shift().res(lines.shift());
    }
  });
  p.stdout.on('end', () => end('no answer: the server closed its output'));
  p.stdout.on('error', (e) => end(`no answer: its output failed (${e.message})`));
  p.stderr.on('data', (d) => (stderr += d));
  // writes to a server that has gone fail (EPIPE): the answers that do not come say so
  p.stdin.on('error', () => {});
  const exited = new Promise((r) => {
    p.on('exit', (code, sig) => {
      r({ code, sig });
      setTimeout(() => end(`no answer: the server exited (${JSON.stringify({ code, sig })})`), 1000);
    });
    p.on('error', (e) => {
      r({ code: 'error', sig: e.message });
      end(`no answer: the server did not start (${e.message})`);
    });
  });
  return {
    p,
    exited,
    get stderr() { return stderr; },
    write(s) { if (!p.stdin.destroyed) p.stdin.write(s); },
    send(obj) { this.write(`${JSON.stringify(obj)}\n`); },
    next(ms = ANSWER_MS) {
      if (lines.length) return Promise.resolve(lines.shift());
      if (gone) return Promise.reject(new Error(gone));
      return new Promise((res, rej) => {
        // a waiter that timed out leaves the queue: a late line goes to the next one
        const w = { res: (l) => { clearTimeout(t); res(l); }, rej: (e) => { clearTimeout(t); rej(e); } };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          rej(new Error(`no answer within ${ms} ms`));
        }, ms);
        waiters.push(w);
      });
    },
    pending() { return lines.length; },
  };
}

async function answer(s, label) {
  try {
    const l = await s.next();
    try {
      return JSON.parse(l);
    } catch {
      notOk(`${label}: the answer is one JSON line`, l.slice(0, 300));
      return {};
    }
  } catch (e) {
    notOk(`${label}: answered`, `${e.message}\n${s.stderr.slice(-1500)}`);
    return {};
  }
}

const META = (v = '2026-07-28', caps = {}) => ({ 'io.modelcontextprotocol/protocolVersion': v, 'io.modelcontextprotocol/clientCapabilities': caps });

phases.raw = async () => {
  const L = 'raw';
  const s = rawServer(['mcp', '--from', join(TOP, 'tests/golden/zoo.etf')]);
  const expectError = async (d, code, idWanted = undefined) => {
    const m = await answer(s, `${L}: ${d}`);
    check(`${L}: ${d} → ${code}`, m.error && m.error.code === code && (idWanted === undefined || m.id === idWanted), JSON.stringify(m).slice(0, 400));
    return m;
  };
  s.send({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
  await expectError('a request before initialize (2025-11-25)', -32602, 1);
  s.send({ jsonrpc: '2.0', id: 'p', method: 'ping' });
  let m = await answer(s, `${L}: ping before initialize`);
  check(`${L}: ping before initialize answers {}`, m.id === 'p' && m.result && Object.keys(m.result).length === 0, JSON.stringify(m));
  s.write('{"jsonrpc":"2.0","id":2,"method":\n');
  await expectError('malformed JSON', -32700, null);
  s.write(Buffer.concat([Buffer.from('{"jsonrpc":"2.0","id":3,"method":"ping","params":{"x":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('"}}\n')]));
  m = await expectError('invalid UTF-8', -32700, null);
  check(`${L}: ... says invalid UTF-8`, /UTF-8/.test((m.error || {}).message));
  const big = `{"jsonrpc":"2.0","id":4,"method":"tools/list","params":{"pad":"${'x'.repeat(10 * 1024 * 1024)}"}}\n`;
  s.write(big);
  m = await expectError('a 10 MB line', -32600, null);
  s.send([{ jsonrpc: '2.0', id: 5, method: 'ping' }]);
  await expectError('a batch', -32600, null);
  s.send({ jsonrpc: '2.0', id: null, method: 'ping' });
  await expectError('a null id', -32600, null);
  s.send({ id: 6, method: 'ping' });
  await expectError('no jsonrpc member', -32600, 6);
  s.send({ jsonrpc: '2.0', method: 'notifications/whatever' });
  s.send({ jsonrpc: '2.0', id: 7, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
  m = await answer(s, `${L}: initialize`);
  check(`${L}: a notification gets no answer; initialize 2025-06-18 gets 2025-06-18`, m.id === 7 && m.result && m.result.protocolVersion === '2025-06-18' && m.result.capabilities.tools, JSON.stringify(m).slice(0, 300));
  s.send({ jsonrpc: '2.0', id: 8, method: 'initialize', params: { protocolVersion: '2099-01-01', capabilities: {}, clientInfo: { name: 'raw', version: '0' } } });
  m = await answer(s, `${L}: initialize with an unknown version`);
  check(`${L}: an unknown version in initialize gets the latest (2025-11-25), never 2026-07-28`, m.result && m.result.protocolVersion === '2025-11-25');
  s.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  s.send({ jsonrpc: '2.0', id: 9, method: 'resources/list' });
  await expectError('an unknown method', -32601, 9);
  s.send({ jsonrpc: '2.0', id: 10, method: 'tools/call', params: { name: 'nope', arguments: {} } });
  await expectError('an unknown tool', -32602, 10);
  s.send({ jsonrpc: '2.0', id: 11, method: 'tools/call', params: { name: 'top', arguments: { n: 'ten' } } });
  m = await expectError('a wrong argument type', -32602, 11);
  check(`${L}: ... names the argument`, /n must be an integer/.test((m.error || {}).message), JSON.stringify(m));
  s.send({ jsonrpc: '2.0', id: 12, method: 'tools/call', params: { name: 'top', arguments: [1] } });
  await expectError('arguments that are not an object', -32602, 12);
  s.send({ jsonrpc: '2.0', id: 13, method: 'tools/list', params: { cursor: 'x' } });
  await expectError('a cursor we never gave', -32602, 13);
  // 2026-07-28 beside the session
  s.send({ jsonrpc: '2.0', id: 'd', method: 'server/discover', params: { _meta: META() } });
  m = await answer(s, `${L}: server/discover`);
  check(`${L}: server/discover: versions, capabilities, resultType, ttlMs, cacheScope, serverInfo`, m.result && m.result.resultType === 'complete' && m.result.supportedVersions[0] === '2026-07-28' && m.result.supportedVersions.includes('2025-11-25') && m.result.capabilities.tools && Number.isInteger(m.result.ttlMs) && m.result.cacheScope && m.result._meta['io.modelcontextprotocol/serverInfo'].name === 'otp-advisor', JSON.stringify(m).slice(0, 400));
  s.send({ jsonrpc: '2.0', id: 14, method: 'tools/list', params: { _meta: META('2025-01-01') } });
  m = await expectError('an unsupported version in _meta', -32022, 14);
  check(`${L}: ... with data.supported and data.requested`, m.error && m.error.data && m.error.data.supported.includes('2026-07-28') && m.error.data.requested === '2025-01-01');
  s.send({ jsonrpc: '2.0', id: 15, method: 'tools/list', params: { _meta: { 'io.modelcontextprotocol/protocolVersion': '2026-07-28' } } });
  await expectError('_meta without clientCapabilities', -32602, 15);
  s.send({ jsonrpc: '2.0', id: 16, method: 'ping', params: { _meta: META() } });
  await expectError('ping under 2026-07-28', -32601, 16);
  s.send({ jsonrpc: '2.0', id: 17, method: 'tools/list', params: { _meta: META() } });
  m = await answer(s, `${L}: tools/list 2026-07-28`);
  check(`${L}: tools/list 2026-07-28 with resultType, ttlMs, cacheScope`, m.result && m.result.resultType === 'complete' && m.result.tools.length === 17 && Number.isInteger(m.result.ttlMs) && m.result.cacheScope === 'public');
  s.send({ jsonrpc: '2.0', id: 18, method: 'tools/call', params: { name: 'summary', arguments: {}, _meta: META() } });
  m = await answer(s, `${L}: tools/call 2026-07-28`);
  check(`${L}: tools/call 2026-07-28 with resultType and structuredContent`, m.result && m.result.resultType === 'complete' && m.result.structuredContent && m.result.structuredContent.snapshot.processes > 1000);
  s.send({ jsonrpc: '2.0', id: 19, method: 'tools/call', params: { name: 'info', arguments: { target: '<0.1.2>' } } });
  m = await answer(s, `${L}: a failing call`);
  check(`${L}: a failing call is isError with one line`, m.result && m.result.isError === true && !m.result.structuredContent && !m.result.content[0].text.includes('\n'), JSON.stringify(m).slice(0, 300));
  s.send({ jsonrpc: '2.0', id: 20, method: 'tools/call', params: { name: 'snapshot', arguments: {} } });
  m = await answer(s, `${L}: snapshot without a node`);
  check(`${L}: snapshot without a node is a tool error`, m.result && m.result.isError && /not connected/.test(m.result.content[0].text), JSON.stringify(m).slice(0, 300));
  // save/load follow the rules of -o and --from: a FIFO is refused, a full disk said
  const fifo = join(TMP, 'fifo');
  execFileSync('mkfifo', [fifo]);
  let n = 100;
  for (const [d, tool, path, re] of [
    ['load_snapshot from a FIFO', 'load_snapshot', fifo, /not a regular file/],
    ['save_snapshot to a FIFO', 'save_snapshot', fifo, /cannot write/],
    ['save_snapshot to /dev/full', 'save_snapshot', '/dev/full', /cannot write|No space/],
    ['save_snapshot into a missing directory', 'save_snapshot', join(TMP, 'no/such/dir.etf'), /cannot write/],
  ]) {
    s.send({ jsonrpc: '2.0', id: n, method: 'tools/call', params: { name: tool, arguments: { path } } });
    m = await answer(s, `${L}: ${d}`);
    check(`${L}: ${d} is a tool error saying why`, m.id === n && m.result && m.result.isError && re.test(m.result.content[0].text), JSON.stringify(m).slice(0, 300));
    n++;
  }
  s.send({ jsonrpc: '2.0', id: 21, method: 'tools/call', params: { name: 'summary', arguments: {} } });
  m = await answer(s, `${L}: after everything`);
  check(`${L}: the server is still up and answers`, m.id === 21 && m.result && !m.result.isError);
  check(`${L}: nothing more was written than the answers`, m.id === 21 && s.pending() === 0, `${JSON.stringify(m).slice(0, 200)}; ${s.pending()} more lines`);
  s.p.stdin.end();
  const ex = await Promise.race([s.exited, sleep(10000).then(() => ({ code: 'timeout' }))]);
  checkHonest(`${L}: stdin closed: the server exits 0 (ASan: no leak, no error)`, ex.code === 0, `${JSON.stringify(ex)}\n${s.stderr.slice(-3000)}`);
  // SIGTERM, as a 2.x client sends its throw-away discover copy
  const t = rawServer(['mcp', env.ZOO_NODE, '--cookie-file', env.ZOO_COOKIE]);
  t.send({ jsonrpc: '2.0', id: 'server-discover-probe-1', method: 'server/discover', params: { _meta: META() } });
  m = await answer(t, `${L}: discover of a copy`);
  check(`${L}: a copy answers server/discover (string id echoed)`, m.id === 'server-discover-probe-1' && m.result);
  t.p.stdin.end();
  t.p.kill('SIGTERM');
  const ex2 = await Promise.race([t.exited, sleep(10000).then(() => ({ code: 'timeout' }))]);
  checkHonest(`${L}: stdin closed and SIGTERM: it leaves at once`, ex2.code !== 'timeout' && !/ERROR: AddressSanitizer|runtime error/.test(t.stderr), `${JSON.stringify(ex2)}\n${t.stderr.slice(-2000)}`);
};

// ---- measure: per tool, time and size (make the closing note) -----------------------------

phases.measure = async () => {
  const args = env.MEASURE_FROM ? ['mcp', '--from', env.MEASURE_FROM] : serverArgs('ZOO');
  const c = await open('sdk1', args, 'measure');
  validators = compileTools(await c.tools(), 'measure');
  const t = env.MEASURE_TARGETS ? JSON.parse(env.MEASURE_TARGETS) : { context: 'Zoo.GlobalBottleneck', app: 'zoo', info: 'Zoo.Sessions', node: env.ZOO_NODE };
  const rows = [];
  for (const [tool, a] of [['summary', {}], ['findings', {}], ['context', { target: t.context }], ['report', { target: t.app }], ['report', {}], ['tree', {}], ['tree', { target: t.info, offset: 0 }], ['top', { n: 15 }], ['top', { n: 15, offset: 500000 }], ['info', { target: t.info }], ['registry', {}], ['ets', {}], ['explain', {}], ['apps', {}]]) {
    const t0 = Date.now();
    let r;
    try {
      r = await c.call(tool, a, { timeout: 600000 });
    } catch (e) {
      rows.push(`${tool} ${JSON.stringify(a)}: ${e.message}`);
      continue;
    }
    validate('measure', tool, r);
    rows.push(`${tool} ${JSON.stringify(a)}: ${Date.now() - t0} ms, ${JSON.stringify(r).length} bytes${r.isError ? ' ERROR ' + r.content[0].text : ''}`);
  }
  if (!env.MEASURE_FROM) {
    for (const [tool, a] of [['snapshot', { window_s: 1 }], ['connect', { node: t.node }]]) {
      const t0 = Date.now();
      const r = await c.call(tool, a, { timeout: 600000 });
      rows.push(`${tool} ${JSON.stringify(a)}: ${Date.now() - t0} ms, ${JSON.stringify(r).length} bytes`);
    }
  }
  for (const r of rows) note(r);
  await c.close();
};

// ---- main ---------------------------------------------------------------------------------

for (const ph of process.argv.slice(2)) {
  try {
    await phases[ph]();
  } catch (e) {
    notOk(`${ph}: ran to its end`, e.stack);
  }
}
note(`${failed} failed`);
process.exit(0);
