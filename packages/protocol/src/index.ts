export * from './domain.js';
export * from './rest.js';
export * from './errors.js';
export * from './socket.js';
export * from './routes.js';
export * from './preferences.js';
export * from './webhooks.js';
export * from './search.js';
export { ENDPOINTS } from './constants.js';
