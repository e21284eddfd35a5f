// The Function App on Flex Consumption (Linux, Node 22) with its plan and app settings. Identity-based connections
// only: no connection string or key anywhere. The app settings are exactly what the code and the Functions host
// read (shared/config.ts, the bindings in functions/); test/unit/infra-settings.test.ts keeps both lists equal.

@description('Function App name.')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Region.')
param location string

@description('Tags (azd-env-name).')
param tags object

@description('Resource id of the user-assigned managed identity.')
param identityResourceId string

@description('Client id of the user-assigned managed identity.')
param identityClientId string

@description('Storage account for host storage (AzureWebJobsStorage) and the deployment package.')
param storageAccountName string

@description('URL of the blob container the Flex deployment package goes to.')
param deploymentContainerUrl string

@description('Table endpoint of the state tables.')
param stateTableEndpoint string

@description('Application Insights connection string (not a secret: ingestion needs Entra ID, local auth is off).')
param appInsightsConnectionString string

@description('Service Bus namespace name.')
param serviceBusNamespaceName string

@description('Queue name: graph-changes.')
param graphChangesQueueName string

@description('Queue name: writeback.')
param writebackQueueName string

@description('Queue name: writeback-results.')
param writebackResultsQueueName string

@description('Versionless URI of the current clientState secret.')
param clientStateUri string

@description('Versionless URI of the previous clientState secret.')
param clientStatePreviousUri string

@description('Entra tenant whose groups are written back.')
param graphTenantId string

@description('Microsoft Graph endpoint.')
param graphBaseUrl string

@description('Token audiences the admin API accepts (client id and Application ID URI of its app registration).')
param adminApiAudience string

@description('Entra ID authority host (the sovereign cloud\'s login endpoint).')
param adminAuthorityHost string

@description('Route of the change-notification function, e.g. api/graph/notifications.')
param notificationRoute string

@description('Route of the lifecycle-notification function.')
param lifecycleRoute string

@description('NCRONTAB schedule of the subscriptions timer.')
param subscriptionSchedule string

@description('NCRONTAB schedule of the reconcile timer.')
param reconcileSchedule string

@description('NCRONTAB schedule of the repair timer.')
param repairSchedule string

@description('Minutes a change set may stay pending without a result before its group is repaired.')
param pendingLimitMinutes int

@description('Log level of the functions.')
param logLevel string

@description('Upper bound of instances.')
param maximumInstanceCount int

@description('Memory per instance in MB.')
param instanceMemoryMB int

@description('Always-ready instances of the HTTP function group (0: none).')
param httpAlwaysReady int

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: union(tags, {
    'azd-service-name': 'functions'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityResourceId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    clientCertEnabled: false
    // Key Vault references resolve with the user-assigned identity (there is no system-assigned one).
    keyVaultReferenceIdentity: identityResourceId
    siteConfig: {
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      ftpsState: 'Disabled'
      http20Enabled: true
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: deploymentContainerUrl
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        // All HTTP functions scale together as the group `http`: these instances keep the webhook warm.
        alwaysReady: [
          {
            name: 'http'
            instanceCount: httpAlwaysReady
          }
        ]
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }

  // No publishing with user names and passwords: azd deploys with Entra ID.
  resource ftpPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmPublishing 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

// https://<namespace>.servicebus.windows.net:443/ -> <namespace>.servicebus.windows.net (any Azure cloud).
var serviceBusHost = split(split(serviceBus.properties.serviceBusEndpoint, '/')[2], ':')[0]
var baseUrl = 'https://${site.properties.defaultHostName}'

resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: {
    // Functions host: host storage and telemetry, both with the managed identity.
    AzureWebJobsStorage__accountName: storageAccountName
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    // Service Bus triggers (connection "ServiceBusConnection") and the app's own senders.
    ServiceBusConnection__fullyQualifiedNamespace: serviceBusHost
    ServiceBusConnection__credential: 'managedidentity'
    ServiceBusConnection__clientId: identityClientId
    // shared/config.ts
    GRAPH_TENANT_ID: graphTenantId
    GRAPH_BASE_URL: graphBaseUrl
    AZURE_CLIENT_ID: identityClientId
    NOTIFICATION_URL: '${baseUrl}/${notificationRoute}'
    LIFECYCLE_NOTIFICATION_URL: '${baseUrl}/${lifecycleRoute}'
    CLIENT_STATE_SECRET: '@Microsoft.KeyVault(SecretUri=${clientStateUri})'
    CLIENT_STATE_SECRET_PREVIOUS: '@Microsoft.KeyVault(SecretUri=${clientStatePreviousUri})'
    STATE_TABLE_ENDPOINT: stateTableEndpoint
    GRAPH_CHANGES_QUEUE: graphChangesQueueName
    WRITEBACK_QUEUE: writebackQueueName
    WRITEBACK_RESULTS_QUEUE: writebackResultsQueueName
    SUBSCRIPTION_SCHEDULE: subscriptionSchedule
    RECONCILE_SCHEDULE: reconcileSchedule
    REPAIR_SCHEDULE: repairSchedule
    PENDING_LIMIT_MINUTES: string(pendingLimitMinutes)
    LOG_LEVEL: logLevel
    ADMIN_API_AUDIENCE: adminApiAudience
    ADMIN_AUTHORITY_HOST: adminAuthorityHost
  }
}

@description('Function App name.')
output name string = site.name

@description('https://<default host name>.')
output url string = baseUrl

@description('URL Graph posts change notifications to.')
output notificationUrl string = '${baseUrl}/${notificationRoute}'

@description('URL Graph posts lifecycle notifications to.')
output lifecycleNotificationUrl string = '${baseUrl}/${lifecycleRoute}'

@description('Fully qualified Service Bus namespace (host name).')
output serviceBusNamespace string = serviceBusHost
