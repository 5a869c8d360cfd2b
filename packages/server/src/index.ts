export { createApp, type BatonApp } from './http/app.js';
export { attachRealtime, type Realtime } from './realtime/attach.js';
export { startServer, type RunningServer, type ServerOptions, VERSION } from './server.js';
export { openSqlite, type Storage } from './storage/db.js';
export { OutboxRelay, type OutboxConsumer, type OutboxRecord } from './outbox/relay.js';
export { systemClock, ManualClock, type Clock } from './clock.js';
export { seedDemoWorkspace, DEMO_WORKSPACE_NAME } from './demo/seed.js';
export { mintAgentToken } from './services/workspaces.js';
export type { Deps, ServerConfig } from './deps.js';
