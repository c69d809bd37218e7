import { sharedPgServer } from '../test/support/pg-server.js';
const s = await sharedPgServer();
console.log('up', s.connectionString);
setInterval(() => {}, 1000);
