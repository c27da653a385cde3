import { describe, expect, it } from 'vitest';
import { functionEnv, VARIABLES } from '../../shared/config/function-env';

describe("a function's environment: the local runtime's time scales for destinations", () => {
  it('are real time when unset; the 24-hour window follows the retry scale unless given its own', () => {
    expect(functionEnv({})).toMatchObject({ retryScale: 1, retryWindowScale: 1 });
    expect(functionEnv({ [VARIABLES.retryScale]: '0.01' })).toMatchObject({ retryScale: 0.01, retryWindowScale: 0.01 });
    expect(functionEnv({ [VARIABLES.retryScale]: '0.01', [VARIABLES.retryWindowScale]: '0.1' })).toMatchObject({ retryScale: 0.01, retryWindowScale: 0.1 });
  });
});
