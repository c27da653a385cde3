// `npm run soak [-- --count N --concurrency C]`: the fault-injected soak run, loopback only, bounded.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

import { parseArgs } from 'node:util';
import { costPerMillionLeads } from './cost-model';
import { runSoak } from './soak';

const { values } = parseArgs({ options: { count: { type: 'string', default: '10000' }, concurrency: { type: 'string', default: '50' } } });
const count = Number(values.count);
const concurrency = Number(values.concurrency);
console.log(`Soak: ${count} submissions, concurrency ${concurrency}; faults: SQS stopped and restarted mid-run, SES throttles 20 % of sends, the routing consumer fails 5 % of records, every batch delivered twice`);
const report = await runSoak({ count, concurrency, restartSqs: true, log: (line) => console.log(`  ${line}`) });
const row = (label: string, value: string | number, ok?: boolean) =>
  console.log(`  ${label.padEnd(44)} ${String(value).padStart(10)}${ok === undefined ? '' : ok ? '   ok' : '   FAIL'}`);
console.log('');
row('accepted submissions', report.accepted, report.accepted === count);
row('stored leads', report.storedLeads, report.storedLeads === report.accepted);
row('lost', report.lost, report.lost === 0);
row('leads with sales consent', report.salesLeads);
row('  assigned exactly once', report.assignedOnce, report.assignedOnce === report.salesLeads);
row('  assigned more than once (duplicated)', report.duplicateAssignments, report.duplicateAssignments === 0);
row('  never assigned', report.missingAssignments, report.missingAssignments === 0);
row('  exactly one assignment email', report.assignmentEmails.exactlyOne, report.assignmentEmails.exactlyOne === report.salesLeads);
row('  duplicated assignment emails', report.assignmentEmails.duplicated, report.assignmentEmails.duplicated === 0);
row('leads without sales consent assigned (misrouted)', report.misrouted, report.misrouted === 0);
row('nurture step 1 expected', report.nurture.expected);
row('  sent once', report.nurture.sentOnce, report.nurture.sentOnce === report.nurture.expected);
row('  duplicated', report.nurture.duplicated, report.nurture.duplicated === 0);
row('dead letters redriven', report.deadLettersRedriven);
row('dead letters left after redrive', report.deadLettersLeft, report.deadLettersLeft === 0);
row('submission retries (503 while SQS was down)', report.submitRetries);
row('submission → assignment email p50 (ms)', report.latencyMs.p50.toFixed(0));
row('submission → assignment email p95 (ms)', report.latencyMs.p95.toFixed(0));
row('submission → assignment email p99 (ms)', report.latencyMs.p99.toFixed(0));
row('run time (s)', report.seconds.toFixed(1));
console.log('\nAWS requests per accepted lead (including the injected faults and retries):');
for (const [operation, perLead] of Object.entries(report.requestsPerLead).sort()) console.log(`  ${operation.padEnd(44)} ${perLead.toFixed(2).padStart(10)}`);
const cost = costPerMillionLeads(report.requestsPerLead);
console.log('\nCost per million leads (us-east-1 list prices in bench/cost-model.ts):');
for (const [item, dollars] of Object.entries(cost.items)) console.log(`  ${item.padEnd(44)} ${`$${dollars.toFixed(2)}`.padStart(10)}`);
console.log(`  ${'total before SES'.padEnd(44)} ${`$${cost.beforeSes.toFixed(2)}`.padStart(10)}   target $8: ${cost.beforeSes < 8 ? 'met' : 'missed'}`);
console.log(`  ${'SES messages'.padEnd(44)} ${`$${cost.ses.toFixed(2)}`.padStart(10)}`);
const clean =
  report.lost === 0 && report.duplicateAssignments === 0 && report.missingAssignments === 0 && report.misrouted === 0 &&
  report.assignmentEmails.duplicated === 0 && report.assignmentEmails.missing === 0 && report.nurture.duplicated === 0 &&
  report.nurture.missing === 0 && report.deadLettersLeft === 0 && report.accepted === count;
console.log(clean ? '\nZero lost, zero duplicated, zero misrouted.' : '\nTHE SOAK FOUND PROBLEMS (see FAIL above).');
process.exitCode = clean ? 0 : 1;
