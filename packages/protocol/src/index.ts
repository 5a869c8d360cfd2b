export * from './domain.js';
export * from './rest.js';
export * from './errors.js';
export * from './socket.js';
export * from './routes.js';
