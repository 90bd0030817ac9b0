; Inno Setup script: per-user install (no admin rights), Start-menu entry, uninstaller.
; Build (after PyInstaller has produced dist\modelhub-desktop):
;   iscc /DAppVersion=0.1.0 packaging\windows\modelhub-desktop.iss
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "ModelHub Desktop"
#define AppExe "modelhub-desktop.exe"

[Setup]
AppId={{6D2C4F8A-1E7B-4B8E-9A51-3C0F2D7E4A11}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=ModelHub Desktop team
DefaultDirName={localappdata}\Programs\ModelHub Desktop
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DisableProgramGroupPage=yes
OutputDir=..\..\dist
OutputBaseFilename=ModelHub-Desktop-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\modelhub.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesInstallIn64BitMode=x64compatible

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\modelhub-desktop\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{userprograms}\Uninstall {#AppName}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
