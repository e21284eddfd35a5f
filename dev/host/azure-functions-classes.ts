// The @azure/functions classes the host constructs. The package is a CommonJS bundle whose class exports
// Node's ESM loader cannot detect as named exports (only `app` & co. are), so they are taken from the
// default export (module.exports) here once.
import azureFunctions from '@azure/functions';

export const { HttpRequest, HttpResponse, InvocationContext } = azureFunctions;
