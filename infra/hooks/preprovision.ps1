# azd preprovision hook (Windows): makes sure the azd environment holds a clientState secret (CLIENT_STATE_SECRET)
# before infra/main.parameters.json is resolved. Generated once (256 random bits, hex), then kept: re-provisioning
# must not rotate it by accident. Rotation is explicit, see docs/deployment.md. The value is never printed.
$ErrorActionPreference = 'Stop'

$current = azd env get-value CLIENT_STATE_SECRET 2>$null
if ($LASTEXITCODE -eq 0 -and -not [string]::IsNullOrEmpty($current)) {
  Write-Host 'clientState secret: kept (CLIENT_STATE_SECRET is set in the azd environment)'
  exit 0
}

$bytes = [byte[]]::new(32)
[System.Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
$secret = -join ($bytes | ForEach-Object { $_.ToString('x2') })
azd env set CLIENT_STATE_SECRET $secret | Out-Null
if ($LASTEXITCODE -ne 0) { throw 'azd env set CLIENT_STATE_SECRET failed' }
Write-Host 'clientState secret: generated and stored in the azd environment (CLIENT_STATE_SECRET)'
