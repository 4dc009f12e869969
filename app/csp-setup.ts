// Runs before anything else in the page: the page's Content-Security-Policy forbids eval (docs/security.md), so zod
// validates without compiling code (without this it probes `new Function`, which the browser reports as a violation).
import { z } from 'zod';

z.config({ jitless: true });
