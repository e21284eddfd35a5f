// Key Vault (Azure RBAC, no access policies) holding the Graph notification clientState secret: the current value
// and the one before the last rotation. The Function App reads both through Key Vault references with its
// managed identity (Key Vault Secrets User on these two secrets only, see role-assignments.bicep).

@description('Vault name (3-24 characters).')
@minLength(3)
@maxLength(24)
param name string

@description('Region.')
param location string

@description('Tags (azd-env-name).')
param tags object

@description('Purge protection. Cannot be turned off again once on.')
param purgeProtection bool

@description('Name of the secret with the current clientState.')
param clientStateName string

@description('Name of the secret with the previous clientState (accepted during rotation).')
param clientStatePreviousName string

@secure()
@description('Current clientState value.')
param clientStateSecret string

@secure()
@description('Previous clientState value (the current one when there was no rotation).')
param clientStateSecretPrevious string

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
    // null, not false: the service refuses an explicit false.
    enablePurgeProtection: purgeProtection ? true : null
    enabledForDeployment: false
    enabledForDiskEncryption: false
    enabledForTemplateDeployment: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource currentSecret 'secrets' = {
    name: clientStateName
    properties: {
      value: clientStateSecret
      contentType: 'text/plain'
      attributes: {
        enabled: true
      }
    }
  }

  resource previousSecret 'secrets' = {
    name: clientStatePreviousName
    properties: {
      value: clientStateSecretPrevious
      contentType: 'text/plain'
      attributes: {
        enabled: true
      }
    }
  }
}

@description('Vault name.')
output name string = vault.name

// Versionless URIs: a Key Vault reference without a version follows the newest version after a rotation.
@description('URI of the current clientState secret (no version).')
output clientStateUri string = vault::currentSecret.properties.secretUri

@description('URI of the previous clientState secret (no version).')
output clientStatePreviousUri string = vault::previousSecret.properties.secretUri
