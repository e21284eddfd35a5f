// Every Azure RBAC role assignment of the deployment: one resource per grant, each scoped to the narrowest resource
// that carries the permission (a queue, a secret, ...). docs/deployment.md ("Least-privilege roles") has the same
// list as a table; test/unit/infra-roles.test.ts keeps both equal.

@description('Principal id of the Function App\'s user-assigned managed identity.')
param functionAppPrincipalId string

@description('Principal id of the relay (service principal of its app registration, or an Arc-enabled server\'s managed identity). Empty: no relay grants.')
param relayPrincipalId string = ''

@description('Service Bus namespace name.')
param serviceBusNamespaceName string

@description('Queue name: graph-changes (delta-round pokes).')
param graphChangesQueueName string

@description('Queue name: writeback (change sets for the relay).')
param writebackQueueName string

@description('Queue name: writeback-results (the relay\'s results).')
param writebackResultsQueueName string

@description('Storage account name (state tables, Functions host storage, deployment package).')
param storageAccountName string

@description('Key Vault name.')
param keyVaultName string

@description('Secret name of the current clientState.')
param clientStateName string

@description('Secret name of the previous clientState.')
param clientStatePreviousName string

@description('Application Insights component name.')
param appInsightsName string

// Built-in role definition ids: the same in every tenant.
var roleIds = {
  'Azure Service Bus Data Sender': '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  'Azure Service Bus Data Receiver': '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6'
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb'
}

resource serviceBus 'Microsoft.ServiceBus/namespaces@2024-01-01' existing = {
  name: serviceBusNamespaceName
}

resource graphChangesQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: serviceBus
  name: graphChangesQueueName
}

resource writebackQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: serviceBus
  name: writebackQueueName
}

resource writebackResultsQueue 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' existing = {
  parent: serviceBus
  name: writebackResultsQueueName
}

resource storageAccount 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource clientStateSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = {
  parent: vault
  name: clientStateName
}

resource clientStatePreviousSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' existing = {
  parent: vault
  name: clientStatePreviousName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// --- Function App identity ---------------------------------------------------------------------------------------

resource functionSendsPokes 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(graphChangesQueue.id, functionAppPrincipalId, roleIds['Azure Service Bus Data Sender'])
  scope: graphChangesQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Azure Service Bus Data Sender'])
    principalId: functionAppPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Webhook, lifecycle handler and timers enqueue delta-round pokes.'
  }
}

resource functionReceivesPokes 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(graphChangesQueue.id, functionAppPrincipalId, roleIds['Azure Service Bus Data Receiver'])
  scope: graphChangesQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Azure Service Bus Data Receiver'])
    principalId: functionAppPrincipalId
    principalType: 'ServicePrincipal'
    description: 'planChanges runs one delta round per poke (session = tenant).'
  }
}

resource functionSendsChangeSets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(writebackQueue.id, functionAppPrincipalId, roleIds['Azure Service Bus Data Sender'])
  scope: writebackQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Azure Service Bus Data Sender'])
    principalId: functionAppPrincipalId
    principalType: 'ServicePrincipal'
    description: 'planChanges sends change sets for the relay (session = group).'
  }
}

resource functionReadsChangeSetDeadLetters 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(writebackQueue.id, functionAppPrincipalId, roleIds['Azure Service Bus Data Receiver'])
  scope: writebackQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Azure Service Bus Data Receiver'])
    principalId: functionAppPrincipalId
    principalType: 'ServicePrincipal'
    description: 'The admin API lists and resubmits dead-lettered change sets (the role covers the queue and its dead-letter sub-queue).'
  }
}

resource functionReceivesResults 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(writebackResultsQueue.id, functionAppPrincipalId, roleIds['Azure Service Bus Data Receiver'])
  scope: writebackResultsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Azure Service Bus Data Receiver'])
    principalId: functionAppPrincipalId
    principalType: 'ServicePrincipal'
    description: 'recordResults reads the relay results into the status tables.'
  }
}

resource functionRetriesResults 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(writebackResultsQueue.id, functionAppPrincipalId, roleIds['Azure Service Bus Data Sender'])
  scope: writebackResultsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Azure Service Bus Data Sender'])
    principalId: functionAppPrincipalId
    principalType: 'ServicePrincipal'
    description: 'recordResults schedules a copy of a result it could not record for a transient cause.'
  }
}

resource functionUsesTables 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, functionAppPrincipalId, roleIds['Storage Table Data Contributor'])
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Storage Table Data Contributor'])
    principalId: functionAppPrincipalId
    principalType: 'ServicePrincipal'
    description: 'State tables: delta tokens, subscriptions, planned state, status.'
  }
}

resource functionHostStorage 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storageAccount.id, functionAppPrincipalId, roleIds['Storage Blob Data Owner'])
  scope: storageAccount
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Storage Blob Data Owner'])
    principalId: functionAppPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Functions host storage (AzureWebJobsStorage: timer locks, host keys) and the Flex deployment package.'
  }
}

resource functionReadsClientState 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(clientStateSecret.id, functionAppPrincipalId, roleIds['Key Vault Secrets User'])
  scope: clientStateSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Key Vault Secrets User'])
    principalId: functionAppPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Key Vault reference CLIENT_STATE_SECRET.'
  }
}

resource functionReadsPreviousClientState 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(clientStatePreviousSecret.id, functionAppPrincipalId, roleIds['Key Vault Secrets User'])
  scope: clientStatePreviousSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Key Vault Secrets User'])
    principalId: functionAppPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Key Vault reference CLIENT_STATE_SECRET_PREVIOUS.'
  }
}

resource functionPublishesTelemetry 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, functionAppPrincipalId, roleIds['Monitoring Metrics Publisher'])
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Monitoring Metrics Publisher'])
    principalId: functionAppPrincipalId
    principalType: 'ServicePrincipal'
    description: 'Telemetry with Entra ID auth (local auth is off on Application Insights).'
  }
}

// --- Relay (on-prem) ----------------------------------------------------------------------------------------------

resource relayReceivesChangeSets 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(relayPrincipalId)) {
  name: guid(writebackQueue.id, relayPrincipalId, roleIds['Azure Service Bus Data Receiver'])
  scope: writebackQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Azure Service Bus Data Receiver'])
    principalId: relayPrincipalId
    principalType: 'ServicePrincipal'
    description: 'The relay takes change sets (sessions) and settles them.'
  }
}

resource relaySendsResults 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(relayPrincipalId)) {
  name: guid(writebackResultsQueue.id, relayPrincipalId, roleIds['Azure Service Bus Data Sender'])
  scope: writebackResultsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds['Azure Service Bus Data Sender'])
    principalId: relayPrincipalId
    principalType: 'ServicePrincipal'
    description: 'The relay reports one result per change set.'
  }
}
