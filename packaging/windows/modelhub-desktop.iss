; Inno Setup 6 script: ModelHub Desktop installer for Windows (x64).
;  - per-user install without admin rights (%LOCALAPPDATA%\Programs\ModelHub Desktop);
;    "Install for all users" is offered too and then asks for elevation
;  - Start-menu entry (optional desktop icon), uninstaller registered in "Installed apps"
;  - the user's data (profiles, cache, settings under %LOCALAPPDATA%\ModelHub) is kept
;    on uninstall
; Build after PyInstaller has produced dist\modelhub-desktop\ (packaging\windows\build.ps1
; does both):
;   iscc /DAppVersion=0.1.0 packaging\windows\modelhub-desktop.iss
;   -> dist\ModelHub-Desktop-0.1.0-windows-x64-setup.exe
; Silent install for the current user / uninstall:
;   ModelHub-Desktop-0.1.0-windows-x64-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /CURRENTUSER
;   "%LOCALAPPDATA%\Programs\ModelHub Desktop\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES

#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z (packaging\windows\build.ps1 does)
#endif
#ifndef AppName
  #define AppName "ModelHub Desktop"
#endif
#define AppExe "modelhub-desktop.exe"
#define Root "..\.."

[Setup]
; never change AppId: it identifies the installation for upgrades and uninstall
AppId={{6D2C4F8A-1E7B-4B8E-9A51-3C0F2D7E4A11}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=ModelHub Desktop team
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
DisableDirPage=auto
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist
OutputBaseFilename=ModelHub-Desktop-{#AppVersion}-windows-x64-setup
SetupIconFile={#Root}\resources\icons\modelhub.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
CloseApplications=yes
Compression=lzma2/max
SolidCompression=yes
LZMANumBlockThreads=2
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; an upgrade replaces the bundle's _internal folder wholesale (no stale modules left over)
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#Root}\dist\modelhub-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Comment: "Desktop client for the MLflow Model Registry"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; only what the installer put there; user data lives elsewhere and stays
Type: dirifempty; Name: "{app}"
