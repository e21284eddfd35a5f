// The whole cloud side of group writeback, deployed at subscription scope (`azd up`, or
// `az deployment sub create -f infra/main.bicep -p infra/main.parameters.json`). docs/deployment.md explains every
// resource, setting and permission; test/unit/infra-*.test.ts check this file against the code and the docs.
targetScope = 'subscription'

// ---------------------------------------------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Name of the azd environment: names the resource group, seeds the resource token, tags everything.')
param environmentName string

@minLength(1)
@description('Region of every resource. It must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name. Empty: rg-<environmentName>.')
param resourceGroupName string = ''

@description('Grant the Function App identity its Microsoft Graph application permissions with the Microsoft Graph Bicep extension. Needs a deployer who may grant app roles (Privileged Role Administrator or Global Administrator). false: grant them by hand (docs/deployment.md, "Manual consent").')
param grantGraphPermissions bool = true

@description('Create the admin API\'s app registration (app roles Writeback.Admin and Writeback.Read) with the Microsoft Graph Bicep extension. Needs a deployer who may create applications (Application Administrator). false: register it by hand and pass adminApiAudience (docs/deployment.md, "Admin sign-in").')
param createAdminApp bool = true

@description('Token audiences of an admin app registered by hand (its client id, and its Application ID URI), comma-separated. Only read when createAdminApp is false.')
param adminApiAudience string = ''

@description('Object id of the relay\'s service principal (enterprise application of its app registration, or the managed identity of an Arc-enabled server). Empty: no relay role assignments yet; deploy again once it exists.')
param relayPrincipalId string = ''

@secure()
@description('Current clientState secret for Graph subscriptions (16-128 characters). Empty: this deployment generates one. azd keeps it stable: the preprovision hook stores a generated value in the azd environment (CLIENT_STATE_SECRET).')
param clientStateSecret string = ''

@secure()
@description('The clientState secret before the last rotation, still accepted until every subscription is recreated. Empty: the current one.')
param clientStateSecretPrevious string = ''

@secure()
@description('Fallback random value, used only when clientStateSecret is empty. Never pass it.')
param generatedClientState string = newGuid()

@description('E-mail address for alerts (dead-lettered messages, relay silence). Empty: alert rules without an action group; they still show in the portal.')
param alertEmail string = ''

@allowed([
  'PT1H'
  'PT6H'
  'PT12H'
  'PT24H'
])
@description('How long the writeback queue may hold messages without ever draining before the relay-silence alert fires.')
param relaySilenceWindow string = 'PT1H'

@minValue(30)
@maxValue(730)
@description('Days Log Analytics keeps logs.')
param logRetentionDays int = 30

// Flex Consumption accepts 40 to 1000 (Microsoft Learn, Flex Consumption plan, "Considerations: Scale").
@minValue(40)
@maxValue(1000)
@description('Upper bound of Function App instances (Flex Consumption: 40 to 1000). Graph throttles per app and tenant, so more instances do not mean faster delta rounds.')
param functionMaximumInstanceCount int = 40

// Billed all the time (the "baseline": the instance memory in GB-seconds, no free grant) plus its executions at
// the always-ready rate: with 2048 MB, one instance is about 2 GB x 2.6 million seconds a month (docs/deployment.md).
@minValue(0)
@maxValue(40)
@description('Always-ready instances of the HTTP functions (Flex Consumption "http" group): they keep the Graph webhook warm, so a validation handshake or notification never waits for a cold start. 0 turns it off (no baseline cost).')
param functionHttpAlwaysReady int = 1

@allowed([
  512
  2048
  4096
])
@description('Memory per Function App instance in MB.')
param functionInstanceMemoryMB int = 2048

@description('Turn on Key Vault purge protection. Once on it cannot be turned off, and `azd down --purge` can no longer free the vault name for 7 days.')
param keyVaultPurgeProtection bool = false

@description('Microsoft Graph endpoint (national clouds use another one).')
param graphBaseUrl string = 'https://graph.microsoft.com'

@allowed([
  'fatal'
  'error'
  'warn'
  'info'
  'debug'
  'trace'
])
@description('LOG_LEVEL of the functions.')
param logLevel string = 'info'

@description('NCRONTAB schedule of the subscriptions timer (create / renew / recreate the Graph subscription): its period bounds how long a missing subscription stays missing.')
param subscriptionSchedule string = '0 */5 * * * *'

@description('NCRONTAB schedule of the reconcile timer (full resync and drift repair; well inside the 7-day delta-token life).')
param reconcileSchedule string = '0 0 */6 * * *'

@description('NCRONTAB schedule of the repair timer (groups whose change set did not land get their full state again).')
param repairSchedule string = '0 */5 * * * *'

@minValue(1)
@maxValue(1440)
@description('Minutes a change set may stay pending without a result (dead-lettered, expired) before its group is repaired.')
param pendingLimitMinutes int = 30

// ---------------------------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------------------------

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
}

// The queues with their settings, in the shape of the Service Bus module's `queues`. One file for Azure and the
// embedded queue of the local stack (dev/queue/app-queues.ts), so both lock, expire and de-duplicate alike.
var queueSettings = loadJsonContent('queues.json')
var queueNames = {
  graphChanges: queueSettings.graphChanges.name
  writeback: queueSettings.writeback.name
  writebackResults: queueSettings.writebackResults.name
}

var secretNames = {
  current: 'client-state'
  previous: 'client-state-previous'
}

// Routes of the HTTP functions in functions/ (Graph posts change and lifecycle notifications here).
var routes = {
  notifications: 'api/graph/notifications'
  lifecycle: 'api/graph/lifecycle'
}

// What the code reads from Microsoft Graph; docs/deployment.md says why each is needed. One file for Azure and the
// Graph simulator of the local stack (dev/graph-sim/permissions.ts), which refuses every call outside it.
var graphAppPermissions = loadJsonContent('graph-permissions.json')

// Names are computed here, not read from module outputs, so what-if can predict every resource id.
var names = {
  functionApp: '${abbrs.functionApp}${resourceToken}'
  appServicePlan: '${abbrs.appServicePlan}${resourceToken}'
  identity: '${abbrs.managedIdentity}fn-${resourceToken}'
  logAnalytics: '${abbrs.logAnalytics}${resourceToken}'
  appInsights: '${abbrs.appInsights}${resourceToken}'
  storage: '${abbrs.storageAccount}${resourceToken}'
  serviceBus: '${abbrs.serviceBus}${resourceToken}'
  keyVault: '${abbrs.keyVault}${resourceToken}'
}
var deploymentContainerName = 'app-package-${resourceToken}'
// The status page's URL, the admin app's single-page app redirect URI. Computed from the Function App's name, not
// read from the function app module: that module needs the admin app's client id first. The default host name
// is <name>.<App Service domain of the cloud>.
var appServiceDomains = {
  AzureCloud: 'azurewebsites.net'
  AzureUSGovernment: 'azurewebsites.us'
  AzureChinaCloud: 'chinacloudsites.cn'
}
var statusPageUrl = 'https://${names.functionApp}.${appServiceDomains[?environment().name] ?? appServiceDomains.AzureCloud}/api/ui/'
var currentClientState = !empty(clientStateSecret) ? clientStateSecret : replace(generatedClientState, '-', '')
var previousClientState = !empty(clientStateSecretPrevious) ? clientStateSecretPrevious : currentClientState

// ---------------------------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------------------------

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : '${abbrs.resourceGroup}${environmentName}'
  location: location
  tags: tags
}

// The Function App's only identity: Graph, Service Bus, Tables, Key Vault references, host storage, telemetry.
module functionIdentity 'br/public:avm/res/managed-identity/user-assigned-identity:0.5.0' = {
  name: 'function-identity'
  scope: rg
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module logs 'modules/log-analytics.bicep' = {
  name: 'log-analytics'
  scope: rg
  params: {
    name: names.logAnalytics
    location: location
    tags: tags
    retentionInDays: logRetentionDays
  }
}

module appInsights 'br/public:avm/res/insights/component:0.6.0' = {
  name: 'app-insights'
  scope: rg
  params: {
    name: names.appInsights
    location: location
    tags: tags
    workspaceResourceId: logs.outputs.resourceId
    applicationType: 'web'
    kind: 'web'
    disableLocalAuth: true
  }
}

// State tables and the deployment package container. Shared keys are off: every caller uses Entra ID.
module storage 'br/public:avm/res/storage/storage-account:0.32.1' = {
  name: 'storage'
  scope: rg
  params: {
    name: names.storage
    location: location
    tags: tags
    kind: 'StorageV2'
    skuName: 'Standard_LRS'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [
        {
          name: deploymentContainerName
        }
      ]
    }
  }
}

// Queue settings (queues.json) are explained in docs/deployment.md ("Queues"); infra-queues.test.ts keeps both equal.
// requiresSession and requiresDuplicateDetection cannot change after a queue exists.
module serviceBus 'br/public:avm/res/service-bus/namespace:0.16.1' = {
  name: 'service-bus'
  scope: rg
  params: {
    name: names.serviceBus
    location: location
    tags: tags
    skuObject: {
      name: 'Standard'
    }
    zoneRedundant: false
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    authorizationRules: []
    queues: [
      queueSettings.graphChanges
      queueSettings.writeback
      queueSettings.writebackResults
    ]
  }
}

module keyVault 'modules/key-vault.bicep' = {
  name: 'key-vault'
  scope: rg
  params: {
    name: names.keyVault
    location: location
    tags: tags
    purgeProtection: keyVaultPurgeProtection
    clientStateName: secretNames.current
    clientStatePreviousName: secretNames.previous
    clientStateSecret: currentClientState
    clientStateSecretPrevious: previousClientState
  }
}

// Every Azure RBAC role assignment, per identity; docs/deployment.md has the same table.
module roles 'modules/role-assignments.bicep' = {
  name: 'role-assignments'
  scope: rg
  params: {
    functionAppPrincipalId: functionIdentity.outputs.principalId
    relayPrincipalId: relayPrincipalId
    serviceBusNamespaceName: names.serviceBus
    graphChangesQueueName: queueNames.graphChanges
    writebackQueueName: queueNames.writeback
    writebackResultsQueueName: queueNames.writebackResults
    storageAccountName: names.storage
    keyVaultName: names.keyVault
    clientStateName: secretNames.current
    clientStatePreviousName: secretNames.previous
    appInsightsName: names.appInsights
  }
  dependsOn: [
    serviceBus
    storage
    keyVault
    appInsights
  ]
}

module functionApp 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: names.functionApp
    planName: names.appServicePlan
    location: location
    tags: tags
    identityResourceId: functionIdentity.outputs.resourceId
    identityClientId: functionIdentity.outputs.clientId
    storageAccountName: names.storage
    deploymentContainerUrl: '${storage.outputs.serviceEndpoints.blob}${deploymentContainerName}'
    stateTableEndpoint: storage.outputs.serviceEndpoints.table
    appInsightsConnectionString: appInsights.outputs.connectionString
    serviceBusNamespaceName: names.serviceBus
    graphChangesQueueName: queueNames.graphChanges
    writebackQueueName: queueNames.writeback
    writebackResultsQueueName: queueNames.writebackResults
    clientStateUri: keyVault.outputs.clientStateUri
    clientStatePreviousUri: keyVault.outputs.clientStatePreviousUri
    graphTenantId: tenant().tenantId
    graphBaseUrl: graphBaseUrl
    notificationRoute: routes.notifications
    lifecycleRoute: routes.lifecycle
    subscriptionSchedule: subscriptionSchedule
    reconcileSchedule: reconcileSchedule
    repairSchedule: repairSchedule
    pendingLimitMinutes: pendingLimitMinutes
    logLevel: logLevel
    adminApiAudience: createAdminApp ? '${adminApp.outputs.appId},${adminApp.outputs.identifierUri}' : adminApiAudience
    adminAuthorityHost: environment().authentication.loginEndpoint
    maximumInstanceCount: functionMaximumInstanceCount
    httpAlwaysReady: functionHttpAlwaysReady
    instanceMemoryMB: functionInstanceMemoryMB
  }
  // Key Vault references and identity-based connections resolve at start-up: grant first.
  dependsOn: [
    roles
  ]
}

module adminApp 'modules/admin-app.bicep' = if (createAdminApp) {
  name: 'admin-app'
  scope: rg
  params: {
    uniqueName: 'group-writeback-admin-${resourceToken}'
    displayName: 'Group writeback admin API (${environmentName})'
    statusPageUrl: statusPageUrl
  }
}

module graphPermissions 'modules/graph-permissions.bicep' = if (grantGraphPermissions) {
  name: 'graph-permissions'
  scope: rg
  params: {
    principalId: functionIdentity.outputs.principalId
    permissions: graphAppPermissions
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    resourceToken: resourceToken
    tags: tags
    serviceBusNamespaceName: names.serviceBus
    writebackQueueName: queueNames.writeback
    relaySilenceWindow: relaySilenceWindow
    alertEmail: alertEmail
    location: location
    appInsightsResourceId: appInsights.outputs.resourceId
  }
  dependsOn: [
    serviceBus
  ]
}

// ---------------------------------------------------------------------------------------------------------------
// Outputs (azd stores them in the environment; nothing secret here)
// ---------------------------------------------------------------------------------------------------------------

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = functionApp.outputs.url
output FUNCTION_APP_PRINCIPAL_ID string = functionIdentity.outputs.principalId
output FUNCTION_APP_CLIENT_ID string = functionIdentity.outputs.clientId
output NOTIFICATION_URL string = functionApp.outputs.notificationUrl
output LIFECYCLE_NOTIFICATION_URL string = functionApp.outputs.lifecycleNotificationUrl
output SERVICE_BUS_NAMESPACE string = functionApp.outputs.serviceBusNamespace
output WRITEBACK_QUEUE string = queueNames.writeback
output WRITEBACK_RESULTS_QUEUE string = queueNames.writebackResults
output STATE_TABLE_ENDPOINT string = storage.outputs.serviceEndpoints.table
output KEY_VAULT_NAME string = names.keyVault
output GRAPH_PERMISSIONS string = join(graphAppPermissions, ',')
output GRAPH_PERMISSIONS_GRANTED bool = grantGraphPermissions
output STATUS_PAGE_URL string = '${functionApp.outputs.url}/api/ui/'
output ADMIN_API_AUDIENCE string = createAdminApp ? '${adminApp.outputs.appId},${adminApp.outputs.identifierUri}' : adminApiAudience
output RELAY_ROLES_ASSIGNED bool = !empty(relayPrincipalId)
