// `node --import ./test/tiny-socket/register.mjs`: runs the tests with `socket.io-client` resolved
// to the tiny client, the same substitution the standalone <team-inbox> build makes with an alias.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
