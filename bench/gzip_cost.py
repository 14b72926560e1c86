"""What compressing JSON on the fly costs: the same `records/search` the annotation view sends, with
and without `Accept-Encoding: gzip`, alternating on one keep-alive connection (decoding included),
for a page of one record and of 50 (bench/README.md, "UI").

    python3 bench/gzip_cost.py URL OWNER_API_KEY        # e.g. a server from scripts/lib/loam-server.sh

Makes a workspace, a dataset of 200 generated records and nothing else; prints the p50 (ms) per
encoding and what each answer weighed. Not a test: nothing here asserts a time.
"""
import http.client
import json
import random
import statistics
import sys
import time
import urllib.request
import zlib
url, key = sys.argv[1], sys.argv[2]
host = url.split('//')[1]
def api(m, p, b=None):
    req = urllib.request.Request(url+p, method=m, data=json.dumps(b).encode() if b is not None else None, headers={'X-Argilla-Api-Key': key, 'Content-Type': 'application/json'})
    t = urllib.request.urlopen(req).read(); return json.loads(t) if t else None
ws = api('POST','/api/v1/workspaces',{'name':'gz%d'%time.time()})
ds = api('POST','/api/v1/datasets',{'name':'gz%d'%time.time(),'workspace_id':ws['id']})
api('POST',f"/api/v1/datasets/{ds['id']}/fields",{'name':'prompt','title':'P','required':True,'settings':{'type':'text'}})
api('POST',f"/api/v1/datasets/{ds['id']}/questions",{'name':'q','title':'Q','required':True,'settings':{'type':'label_selection','options':[{'value':'a','text':'a'},{'value':'b','text':'b'}]}})
api('PUT',f"/api/v1/datasets/{ds['id']}/publish")
random.seed(1)
words='the a model answer prompt data record label quality good bad token train eval loss code python rust query index'.split()
api('POST',f"/api/v1/datasets/{ds['id']}/records/bulk",{'items':[{'fields':{'prompt':' '.join(random.choice(words) for _ in range(110))}} for i in range(200)]})
body=json.dumps({'filters':{'type':'and','and':[{'type':'terms','scope':{'entity':'record','property':'status'},'values':['pending']}]}})
path=f"/api/v1/me/datasets/{ds['id']}/records/search?include=responses&include=suggestions&offset=0&limit=%d"
for limit in (1,50):
    res={'gzip':[], 'identity':[]}; sizes={}
    conn=http.client.HTTPConnection(host)
    for i in range(400):
        for enc in (('gzip','identity') if i%2 else ('identity','gzip')):
            t=time.perf_counter()
            conn.request('POST', path%limit, body, {'X-Argilla-Api-Key':key,'Content-Type':'application/json','Accept-Encoding':enc})
            r=conn.getresponse(); data=r.read(); sent=len(data)
            if r.getheader('Content-Encoding')=='gzip': data=zlib.decompress(data, 47)
            dt=time.perf_counter()-t
            if i>=20: res[enc].append(dt*1000)
            sizes[enc]={'bytes_sent': sent, 'bytes_decoded': len(data)}
    print(limit, {k:round(statistics.median(v),3) for k,v in res.items()}, sizes)
