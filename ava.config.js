// ava 7 runs .ts through tsx. Worker threads must be off: on Node 20 the tsx loader
// is not applied inside them (see ../shared/STACK.md).
export default {
  files: ['test/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx'],
  workerThreads: false,
  // Database files share one server on 2 cores: run them one at a time so timings stay sane.
  concurrency: 1,
  // Tests in a file run one after another too: timings and lock probes need a quiet server.
  serial: true,
  timeout: '5m',
};
