import { loadConfigFile } from '../shared/config/load';
import { bundleSizes } from './bundle-size';
import { jsonRulesDecider, leadgateDecider } from './routing';
import { sampleLeads } from './sample-leads';

// `npm run bench`: prints figures side by side from one run; fails nothing.
const CAPTURE_TARGET_KB = 450;
const ROUTING_TARGET_PER_SECOND = 1_000_000;
const ROUTING_TARGET_RATIO = 100;

const config = loadConfigFile();
const at = new Date();
const leads = sampleLeads(10_000);

function rate(count: number, ms: number) {
  return (count / ms) * 1000;
}

// Same leads, same decisions: check before timing anything.
const ours = leadgateDecider(config, at);
const theirs = jsonRulesDecider(config, at);
for (const lead of leads) {
  const a = ours(lead);
  const b = await theirs(lead);
  if (JSON.stringify(a) !== JSON.stringify(b)) throw new Error(`decisions differ for ${JSON.stringify(lead)}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
}

const decide = leadgateDecider(config, at);
for (let i = 0; i < 200_000; i++) decide(leads[i % leads.length]!); // warm up
const rounds = 3_000_000;
let checksum = 0;
let started = performance.now();
for (let i = 0; i < rounds; i++) checksum += decide(leads[i % leads.length]!).score;
const oursPerSecond = rate(rounds, performance.now() - started);

const slow = jsonRulesDecider(config, at);
const slowRounds = 20_000;
for (let i = 0; i < 2_000; i++) await slow(leads[i % leads.length]!);
started = performance.now();
for (let i = 0; i < slowRounds; i++) checksum += (await slow(leads[i % leads.length]!)).score;
const theirsPerSecond = rate(slowRounds, performance.now() - started);

console.log(`\nScoring and routing, in process, example rules, ${leads.length} distinct leads (decisions identical: yes; checksum ${checksum})`);
console.log(`  Leadgate compiled rules   ${Math.round(oursPerSecond).toLocaleString('en').padStart(12)} leads/s   target ${ROUTING_TARGET_PER_SECOND.toLocaleString('en')}: ${oursPerSecond >= ROUTING_TARGET_PER_SECOND ? 'met' : 'missed'}`);
console.log(`  json-rules-engine         ${Math.round(theirsPerSecond).toLocaleString('en').padStart(12)} leads/s`);
const ratio = oursPerSecond / theirsPerSecond;
console.log(`  ratio                     ${ratio.toFixed(0).padStart(12)}x         target ${ROUTING_TARGET_RATIO}x: ${ratio >= ROUTING_TARGET_RATIO ? 'met' : 'missed'}`);

console.log('\nFunction bundles (minified ESM, AWS SDK included)');
console.log('  function      size (KB)   gzip (KB)');
for (const { name, bytes, gzipBytes } of await bundleSizes()) {
  const note = name === 'capture' ? `   target ${CAPTURE_TARGET_KB} KB: ${bytes / 1024 <= CAPTURE_TARGET_KB ? 'met' : 'missed'}` : '';
  console.log(`  ${name.padEnd(12)} ${(bytes / 1024).toFixed(1).padStart(9)}   ${(gzipBytes / 1024).toFixed(1).padStart(9)}${note}`);
}
