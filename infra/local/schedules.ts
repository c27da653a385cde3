import { runtimeClock } from '../../shared/adapters/runtime-clock';
import { type ScheduleName, scheduleNames, type Topology } from '../topology';

/**
 * Runs the topology's schedules as EventBridge would invoke them. One run of a schedule at a time:
 * a local timer fires every few seconds, and a sweep with a long list must not start again while
 * it is still working through it.
 */
export function scheduleRunner(topology: Topology, invoke: (name: Topology['schedules'][ScheduleName]['function'], event: unknown) => Promise<unknown>) {
  const running = new Map<ScheduleName, Promise<void>>();
  const runSchedule = (name: ScheduleName): Promise<void> => {
    const current = running.get(name);
    if (current) return current;
    const spec = topology.schedules[name];
    const run = invoke(spec.function, { source: 'leadgate.local', 'detail-type': 'Scheduled Event', time: runtimeClock.now().toISOString() })
      .then(() => undefined)
      .finally(() => running.delete(name));
    running.set(name, run);
    return run;
  };
  const runSchedules = async () => {
    for (const name of scheduleNames) {
      // A run already under way started before the caller's change (say a clock advance): run again after it.
      await running.get(name)?.catch(() => undefined);
      await runSchedule(name);
    }
  };
  return { runSchedule, runSchedules };
}
