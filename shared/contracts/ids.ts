// The id vocabulary (shared/domain/ids.ts) as a schema, for every boundary that takes a directory object id.
import { z } from 'zod';
import { GUID_PATTERN } from '../domain/ids.js';

export const guidSchema = z.string().regex(GUID_PATTERN, 'expected a GUID');
