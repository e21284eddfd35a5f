// Log Analytics workspace behind Application Insights. Local (shared key) auth is off: ingestion and queries use
// Entra ID only. Written here rather than with the AVM module because the pinned AVM versions do not expose
// disableLocalAuth.

@description('Workspace name.')
param name string

@description('Region.')
param location string

@description('Tags (azd-env-name).')
param tags object

@minValue(30)
@maxValue(730)
@description('Days logs are kept.')
param retentionInDays int

resource workspace 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: retentionInDays
    features: {
      disableLocalAuth: true
      enableLogAccessUsingOnlyResourcePermissions: true
    }
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

@description('Resource id of the workspace.')
output resourceId string = workspace.id
