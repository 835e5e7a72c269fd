import re, os, sys, glob
R=os.path.expanduser('~/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/')
PB=R+'k8s-pb-0.9.0/src/'
# json names
jn={}
for f in glob.glob(R+'k8s-openapi-0.28.0/src/v1_32/**/*.rs', recursive=True):
    for m in re.finditer(r'"([A-Za-z0-9$]+)" => Field::Key_([a-z0-9_]+)', open(f).read()):
        jn.setdefault(m.group(2), m.group(1))
def jname(snake):
    snake=snake.replace('r#','')
    if snake in jn: return jn[snake]
    parts=snake.split('_'); return parts[0]+''.join(p[:1].upper()+p[1:] for p in parts[1:])
msgs={}
for f in glob.glob(PB+'**/mod.rs', recursive=True):
    pkg=os.path.dirname(f)[len(PB):].replace('/','.')  # e.g. api.core.v1
    src=open(f).read()
    for m in re.finditer(r'pub struct (\w+) \{(.*?)\n\}', src, re.S):
        name=m.group(1); body=m.group(2)
        fields=[]
        for fm in re.finditer(r'#\[prost\(([^\]]*?)tag = "(\d+)"\)\]\s*(?:///[^\n]*\n\s*)*pub (r#\w+|\w+):\s*(.+?),\s*(?=\n\s*(?:///|#\[|pub )|\s*$)', body+'\n', re.S):
            attr, tag, fname, ty = fm.groups()
            attr=attr.strip().rstrip(',')
            kind=attr.split(',')[0].strip().split(' ')[0]
            ty=re.sub(r',\s*>', '>', ' '.join(ty.split())).rstrip(',').strip()
            rep='repeated' in attr
            target=''
            if kind=='message':
                t=re.sub(r'::core::option::Option<|::prost::alloc::vec::Vec<|>+$','',ty).strip()
                target=t
            if kind.startswith('btree_map') or kind.startswith('map'):
                v=re.search(r'"string, (\w+)',attr).group(1)
                kind='map_'+v
                if v=='message' and ',' in ty:
                    target=ty.rsplit(',',1)[1].strip().rstrip('>').strip()
            fields.append((int(tag), jname(fname), kind, rep, target))
        msgs[pkg+'.'+name]=(pkg,fields)
def resolve(pkg, target):
    # target like super::super::X::Y or Container
    parts=target.split('::'); p=pkg.split('.')
    while parts and parts[0]=='super': p=p[:-1]; parts=parts[1:]
    if parts and parts[0]=='crate': p=[]; parts=parts[1:]
    return '.'.join(p+parts)
roots=['api.core.v1.Namespace','api.core.v1.ServiceAccount','api.core.v1.Secret','api.core.v1.ConfigMap','api.core.v1.Service','api.core.v1.Pod','api.core.v1.ResourceQuota','api.apps.v1.Deployment','api.batch.v1.Job','api.batch.v1.CronJob','api.rbac.v1.Role','api.rbac.v1.RoleBinding','api.rbac.v1.ClusterRole','api.rbac.v1.ClusterRoleBinding','api.authorization.v1.SelfSubjectAccessReview','api.authorization.v1.SelfSubjectRulesReview','api.authorization.v1.SubjectAccessReview','api.authentication.v1.SelfSubjectReview','api.authentication.v1.TokenRequest','api.policy.v1.PodDisruptionBudget','api.scheduling.v1.PriorityClass','apimachinery.pkg.runtime.Unknown','apimachinery.pkg.apis.meta.v1.DeleteOptions']
special={'apimachinery.pkg.apis.meta.v1.Time':'time','apimachinery.pkg.apis.meta.v1.MicroTime':'time','apimachinery.pkg.api.resource.Quantity':'quantity','apimachinery.pkg.util.intstr.IntOrString':'intorstr','apimachinery.pkg.runtime.RawExtension':'raw','apimachinery.pkg.apis.meta.v1.FieldsV1':'raw','apimachinery.pkg.apis.meta.v1.Duration':'duration'}
seen=set(); order=[]
def walk(n):
    if n in seen or n in special: return
    if n not in msgs: print('missing',n,file=sys.stderr); return
    seen.add(n); order.append(n)
    pkg,fields=msgs[n]
    for f in fields:
        if f[4]: walk(resolve(pkg,f[4]))
for r in roots: walk(r)
short=lambda n: n.replace('api.','',1) if n.startswith('api.') else n.replace('apimachinery.pkg.','',1)
out=['# Protobuf field numbers of the Kubernetes 1.32 messages kubectl\'s typed clients send,',
     '# generated from k8s-pb 0.9 (prost tags) with k8s-openapi 0.28\'s JSON names.',
     '# message NAME, then: NUMBER JSON-NAME TYPE[*] [MESSAGE]   (* = repeated)']
for n in order:
    pkg,fields=msgs[n]
    out.append('message '+short(n))
    for tag,name,kind,rep,target in fields:
        t=kind
        ref=''
        if kind in ('message','map_message'):
            full=resolve(pkg,target)
            if full in special: t=special[full] if kind=='message' else 'map_'+special[full]
            else: ref=' '+short(full)
        out.append(f'{tag} {name} {t}{"*" if rep else ""}{ref}')
print('\n'.join(out))
print(len(order),'messages',file=sys.stderr)
